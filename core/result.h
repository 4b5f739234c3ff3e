#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace LearnPulse {

// A value or a readable error, for operations that can fail for reasons a person should see
// (bad input, a server that does not answer, a file that cannot be written).
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) // NOLINT(google-explicit-constructor): a value converts to success
        : m_value(std::move(value))
    {
    }
    static Result failure(QString error) { return Result(std::move(error), Tag{}); }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const QString &error() const { return m_error; }

private:
    struct Tag
    {
    };
    Result(QString error, Tag)
        : m_error(std::move(error))
    {
    }
    std::optional<T> m_value;
    QString m_error;
};

// Success or a readable error, for operations without a value.
class [[nodiscard]] Status
{
public:
    Status() = default;
    static Status failure(QString error)
    {
        Status s;
        s.m_ok = false;
        s.m_error = std::move(error);
        return s;
    }
    template<typename T>
    static Status from(const Result<T> &r)
    {
        return r.ok() ? Status() : failure(r.error());
    }
    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const QString &error() const { return m_error; }

private:
    bool m_ok = true;
    QString m_error;
};

} // namespace LearnPulse
