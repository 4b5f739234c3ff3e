#pragma once

#include "result.h"

#include <QMetaType>
#include <QString>
#include <QVariant>

namespace LearnPulse {

// The one answer to one request from the window to the console's worker thread (ConsoleBackend::finished).
// `value` holds the request's data (its type is named where the request is declared); `error` is for the
// person, `kind` for the code. `notice` is a remark on a success (e.g. "Redis was not reachable: run the
// erasure again").
struct RequestResult
{
    ErrorKind kind = ErrorKind::None;
    QString error;
    QVariant value;
    QString notice;

    bool ok() const { return kind == ErrorKind::None; }

    static RequestResult success(QVariant value = {}, QString notice = {})
    {
        RequestResult r;
        r.value = std::move(value);
        r.notice = std::move(notice);
        return r;
    }
    static RequestResult failure(QString error, ErrorKind kind = ErrorKind::Failed)
    {
        RequestResult r;
        r.kind = kind == ErrorKind::None ? ErrorKind::Failed : kind;
        r.error = std::move(error);
        return r;
    }
    static RequestResult from(const Status &status)
    {
        return status ? success() : failure(status.error(), status.kind());
    }
    template<typename T>
    static RequestResult from(const Result<T> &result)
    {
        return result ? success(QVariant::fromValue(result.value())) : failure(result.error(), result.kind());
    }
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::RequestResult)
