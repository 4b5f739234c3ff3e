#include "messageedit.h"

#include <QKeyEvent>

namespace LearnPulse {

MessageEdit::MessageEdit(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
}

void MessageEdit::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        emit sendRequested();
        event->accept();
        return;
    }
    if (enter)
        insertPlainText(QStringLiteral("\n"));
    else
        QPlainTextEdit::keyPressEvent(event);
}

} // namespace LearnPulse
