#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <utility>

namespace LearnPulse {

// What kind of failure a Result holds, so that callers decide on a code, never on the words of a message
// (a server's text can change; "LP_NO_SESSION" or "NOSCRIPT" inside a message is matched once, where the
// reply is read).
enum class ErrorKind
{
    None, // success
    Failed, // anything not named below
    BadInput, // refused as it was given: fix the input
    NotFound, // no such record (ticket, account, file)
    NoSession, // the conversation does not exist in Redis (expired, or a server that lost it)
    Forbidden, // the signed-in role may not do this
    Unavailable, // a server (Redis, the database, the assistant, SMTP) cannot be reached now: try again later
    NoScript, // Redis does not have the script cached (send it with EVAL)
    Storage, // the disk or the database refused a write
    Cancelled, // stopped on purpose (the person, a sign-out, new settings)
};

// A value or a readable error, for operations that can fail for reasons a person should see
// (bad input, a server that does not answer, a file that cannot be written).
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) // NOLINT(google-explicit-constructor): a value converts to success
        : m_value(std::move(value))
    { }
    static Result failure(QString error, ErrorKind kind = ErrorKind::Failed)
    {
        return Result(std::move(error), kind == ErrorKind::None ? ErrorKind::Failed : kind);
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const &
    {
        Q_ASSERT_X(ok(), "Result::value", "value() of a failure");
        return *m_value;
    }
    T &value() &
    {
        Q_ASSERT_X(ok(), "Result::value", "value() of a failure");
        return *m_value;
    }
    T &&value() &&
    {
        Q_ASSERT_X(ok(), "Result::value", "value() of a failure");
        return std::move(*m_value);
    }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }
    const QString &error() const { return m_error; }
    ErrorKind kind() const { return m_kind; }

private:
    Result(QString error, ErrorKind kind)
        : m_error(std::move(error))
        , m_kind(kind)
    { }
    std::optional<T> m_value;
    QString m_error;
    ErrorKind m_kind = ErrorKind::None;
};

// Success or a readable error, for operations without a value.
class [[nodiscard]] Status
{
public:
    Status() = default;
    static Status failure(QString error, ErrorKind kind = ErrorKind::Failed)
    {
        Status s;
        s.m_kind = kind == ErrorKind::None ? ErrorKind::Failed : kind;
        s.m_error = std::move(error);
        return s;
    }
    template<typename T>
    static Status from(const Result<T> &r)
    {
        return r.ok() ? Status() : failure(r.error(), r.kind());
    }
    bool ok() const { return m_kind == ErrorKind::None; }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }
    ErrorKind kind() const { return m_kind; }

private:
    QString m_error;
    ErrorKind m_kind = ErrorKind::None;
};

// A failure of another type with the same text and kind.
template<typename T, typename From>
Result<T> failureOf(const From &from)
{
    return Result<T>::failure(from.error(), from.kind());
}

} // namespace LearnPulse
