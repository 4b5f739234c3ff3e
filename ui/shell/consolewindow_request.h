#pragma once

// ConsoleWindow::request(), shared by the window's source files: sends a request to the backend's thread
// and records it until its one answer arrives (onFinished()).

#include "consolebackend.h"
#include "consolewindow.h"

namespace LearnPulse {

template<typename F>
quint64 ConsoleWindow::request(const QString &what, F &&call, Handler handler)
{
    const quint64 id = ++m_nextRequest;
    m_pending.insert(id, Pending { what, std::move(handler) });
    updateBusy();
    QMetaObject::invokeMethod(
        m_backend, [b = m_backend, id, call = std::forward<F>(call)] { call(b, id); }, Qt::QueuedConnection);
    return id;
}

} // namespace LearnPulse
