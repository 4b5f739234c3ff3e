#include "redisscripts.h"

#include <QFile>
#include <QString>

namespace LearnPulse::RedisScripts {

namespace {

QByteArray load(const char *name)
{
    QFile f(QStringLiteral(":/redis/%1.lua").arg(QLatin1String(name)));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("the Redis script resource %s.lua is missing", name);
    return f.readAll();
}

} // namespace

const QByteArray &turn()
{
    static const QByteArray script = load("turn");
    return script;
}

const QByteArray &finish()
{
    static const QByteArray script = load("finish");
    return script;
}

const QByteArray &release()
{
    static const QByteArray script = load("release");
    return script;
}

const QByteArray &rate()
{
    static const QByteArray script = load("rate");
    return script;
}

const QByteArray &takeBack()
{
    static const QByteArray script = load("take-back");
    return script;
}

const QByteArray &restore()
{
    static const QByteArray script = load("restore");
    return script;
}

const QByteArray &setContext()
{
    static const QByteArray script = load("set-context");
    return script;
}

const QByteArray &feedback()
{
    static const QByteArray script = load("feedback");
    return script;
}

const QByteArray &withdraw()
{
    static const QByteArray script = load("withdraw");
    return script;
}

const QByteArray &offer()
{
    static const QByteArray script = load("offer");
    return script;
}

} // namespace LearnPulse::RedisScripts
