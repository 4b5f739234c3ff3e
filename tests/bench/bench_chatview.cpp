// The chat pane while a reply streams: 400 pieces on a 50-message history, each shown before the next
// arrives (events processed: the log's update is painted), against the former way of showing a piece (the whole
// conversation rebuilt as HTML) in the same process. Goal: under 1 s for the 400 pieces.
#include "benchsupport.h"
#include "chatview.h"
#include "messageedit.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTextBrowser>

#include <algorithm>
#include <cstdio>

using namespace LearnPulse;
using Bench::median;

namespace {

QList<HistoryEntry> history(int n)
{
    QList<HistoryEntry> h;
    const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-3600);
    for (int i = 0; i < n; ++i)
        h.append({ i % 2 ? QStringLiteral("assistant") : QStringLiteral("teacher"),
            QStringLiteral("Message %1: Aisha and Omar in 6B find while loops hard; the exit condition is "
                           "where most of the class goes wrong. Practise with tracing tables.\nA second "
                           "paragraph with a few more words about loops and conditions.")
                .arg(i),
            t0.addSecs(i * 30) });
    return h;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int pieces = argc > 2 && QByteArray(argv[1]) == "--pieces" ? QByteArray(argv[2]).toInt() : 400;
    const int runs = 3;
    QList<double> incremental;
    QList<double> rebuilt;
    for (int run = 0; run < runs; ++run) {
        ChatView view(8000);
        view.resize(900, 700);
        view.show();
        SessionState state;
        state.id = QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666");
        view.setConversation(state, history(50));
        auto *input = view.findChild<MessageEdit *>(QStringLiteral("messageInput"));
        QTest::keyClicks(input, QStringLiteral("Which students need help?"));
        QTest::keyClick(input, Qt::Key_Return);
        QCoreApplication::processEvents();
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < pieces; ++i) {
            view.appendReplyDelta(QStringLiteral("piece %1 of the reply ").arg(i));
            QCoreApplication::processEvents(); // the update the piece asked for is painted here
        }
        incremental << double(t.nsecsElapsed()) / 1e6;

        // The former way: the whole conversation as HTML, set again for each piece.
        QTextBrowser former;
        former.resize(900, 600);
        former.show();
        QString html;
        for (const HistoryEntry &e : history(50))
            html += QStringLiteral("<table width='100%'><tr><td><b>%1</b><br>%2</td></tr></table>")
                        .arg(e.role, e.content.toHtmlEscaped());
        QString reply;
        QElapsedTimer f;
        f.start();
        for (int i = 0; i < pieces; ++i) {
            reply += QStringLiteral("piece %1 of the reply ").arg(i);
            former.setHtml(html + QStringLiteral("<table><tr><td>") + reply.toHtmlEscaped()
                + QStringLiteral("</td></tr></table>"));
            QCoreApplication::processEvents();
        }
        rebuilt << double(f.nsecsElapsed()) / 1e6;
    }
    const QJsonObject o { { QStringLiteral("pieces"), pieces }, { QStringLiteral("history_messages"), 50 },
        { QStringLiteral("runs"), runs }, { QStringLiteral("incremental_total_ms"), median(incremental) },
        { QStringLiteral("incremental_per_piece_ms"), median(incremental) / pieces },
        { QStringLiteral("rebuilt_total_ms"), median(rebuilt) },
        { QStringLiteral("rebuilt_per_piece_ms"), median(rebuilt) / pieces } };
    std::printf("chat_view_streaming %s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    if (median(incremental) >= 1000.0) {
        std::fprintf(stderr, "bench_chatview: %d pieces took %.0f ms (goal < 1000 ms)\n", pieces, median(incremental));
        return 1;
    }
    return 0;
}
