#pragma once

#include <QPlainTextEdit>

namespace LearnPulse {

// The chat input: Enter sends, Shift+Enter breaks the line.
class MessageEdit final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageEdit)

public:
    explicit MessageEdit(QWidget *parent = nullptr);

signals:
    void sendRequested();

protected:
    void keyPressEvent(QKeyEvent *event) override;
};

} // namespace LearnPulse
