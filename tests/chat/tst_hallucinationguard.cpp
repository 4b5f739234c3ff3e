#include "hallucinationguard.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

using namespace LearnPulse;

class TestHallucinationGuard : public QObject
{
    Q_OBJECT

private slots:
    void replacesFalseClaims_data();
    void replacesFalseClaims();
    void leavesHonestTextAlone_data();
    void leavesHonestTextAlone();
    void realTicketMakesSupportClaimsTrue();
    void streamingNeverShowsAClaim();
    void saysTheHonestSentenceOnce();
    void qualityOnTheLabelledSets_data();
    void qualityOnTheLabelledSets();
    void normalisesObfuscation_data();
    void normalisesObfuscation();
    void replacesOnlyTheClaimingSentence();
    void aDraftInQuotesIsNotTheAssistantsClaim();
};

void TestHallucinationGuard::replacesFalseClaims_data()
{
    QTest::addColumn<QString>("reply");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("gone");
    QTest::newRow("fake id") << QStringLiteral(
        "Here you go. Your reference is TICKET-deadbeef-20260101000000. Anything else?")
                             << QStringLiteral("ticket_id") << QStringLiteral("TICKET-deadbeef");
    QTest::newRow("created") << QStringLiteral("I've created a support ticket for you. Loops are hard.")
                             << QStringLiteral("ticket_claim") << QStringLiteral("created a support ticket");
    QTest::newRow("opened") << QStringLiteral("I have just opened a new ticket with our team.")
                            << QStringLiteral("ticket_claim") << QStringLiteral("opened a new ticket");
    QTest::newRow("filed") << QStringLiteral("We filed a case about this!") << QStringLiteral("ticket_claim")
                           << QStringLiteral("filed a case");
    QTest::newRow("passive") << QStringLiteral("A ticket has been created for you.") << QStringLiteral("ticket_claim")
                             << QStringLiteral("has been created");
    QTest::newRow("emailed") << QStringLiteral("I emailed the support team about your problem.")
                             << QStringLiteral("contact_claim") << QStringLiteral("emailed");
    QTest::newRow("contacted") << QStringLiteral("I\u2019ve contacted support and they will call you.")
                               << QStringLiteral("contact_claim") << QStringLiteral("contacted support");
    QTest::newRow("notified") << QStringLiteral("Support has been notified.") << QStringLiteral("contact_claim")
                              << QStringLiteral("notified");
    QTest::newRow("forwarded") << QStringLiteral("Your request has been forwarded to the support team.")
                               << QStringLiteral("contact_claim") << QStringLiteral("forwarded");
    QTest::newRow("promise") << QStringLiteral("I will escalate this to a human right away.")
                             << QStringLiteral("contact_claim") << QStringLiteral("escalate this");
    // The assistant reaches nobody but the teacher: a coach, a colleague, a family, by name or by role.
    QTest::newRow("texted a coach") << QStringLiteral("I texted Coach Delgado that Marcus will miss practice.")
                                    << QStringLiteral("contact_claim") << QStringLiteral("texted");
    QTest::newRow("let someone know") << QStringLiteral("I've let the TOK coordinator know the six names.")
                                      << QStringLiteral("contact_claim") << QStringLiteral("let the");
    QTest::newRow("room parents") << QStringLiteral("I've messaged three room parents about the hamster.")
                                  << QStringLiteral("contact_claim") << QStringLiteral("messaged");
    QTest::newRow("status line") << QStringLiteral("Told the nurse about Ethan's allergy.")
                                 << QStringLiteral("contact_claim") << QStringLiteral("nurse");
    QTest::newRow("voicemail") << QStringLiteral("Left a voicemail for Mrs. Park.") << QStringLiteral("contact_claim")
                               << QStringLiteral("voicemail");
    // A letter ends at its sign-off: what follows is the assistant's own words again.
    QTest::newRow("after a letter") << QStringLiteral(
        "Here's a draft you can send: Dear Ms. Chen, thank you for your note. Kind regards, Mr. Li. I also emailed "
        "the parents myself.") << QStringLiteral("contact_claim")
                                    << QStringLiteral("emailed the parents");
    QTest::newRow("after a short letter") << QStringLiteral(
        "Here's a message you could send: Hi Mr. Lee, Ava is absent Friday. Thanks! I've also let the front office "
        "know.") << QStringLiteral("contact_claim")
                                          << QStringLiteral("front office");
    // An apostrophe opens no quote that could hide what follows.
    QTest::newRow("'til") << QStringLiteral(
        "There's a note on your dashboard 'til Friday: I've escalated this to support.")
                          << QStringLiteral("contact_claim") << QStringLiteral("escalated");
    QTest::newRow("apostrophes") << QStringLiteral(
        "Here's a 'what went well' prompt for the students' essays. I've emailed the parents about it.")
                                 << QStringLiteral("contact_claim") << QStringLiteral("emailed the parents");
}

void TestHallucinationGuard::replacesFalseClaims()
{
    QFETCH(QString, reply);
    QFETCH(QString, kind);
    QFETCH(QString, gone);
    QStringList claims;
    const QString out = HallucinationGuard::check(reply, QString(), &claims);
    QVERIFY2(claims.contains(kind), qPrintable(claims.join(QLatin1Char(','))));
    QVERIFY2(!out.contains(gone, Qt::CaseInsensitive), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("can't open support tickets or contact anyone myself")), qPrintable(out));
}

void TestHallucinationGuard::leavesHonestTextAlone_data()
{
    QTest::addColumn<QString>("reply");
    QTest::newRow("cannot") << QStringLiteral("I can't open tickets myself, but the support team can help.");
    QTest::newRow("unable") << QStringLiteral("I am unable to contact anyone for you.");
    QTest::newRow("share with your team") << QStringLiteral("I'll send you a summary you can share with your team.");
    QTest::newRow("exit ticket") << QStringLiteral(
        "I've created an exit ticket for tomorrow's lesson: three questions.");
    QTest::newRow("plain") << QStringLiteral("Omar struggles with loop conditions. Try tracing tables.\nGood luck!");
    QTest::newRow("suggest") << QStringLiteral("If you want, ask LearnPulse to contact support.");
    QTest::newRow("tell you") << QStringLiteral("I'll let you know when the quiz is ready. Let me know the period.");
    // Drafts for the teacher to send, in single quotes or as a letter after a colon, are the teacher's words.
    QTest::newRow("single-quoted draft") << QStringLiteral(
        "Here's a draft you can send: 'Hi Dr. Hammond, I've emailed the district helpdesk and I don't have a reply "
        "yet. Could we talk tomorrow?' Feel free to edit it.");
    QTest::newRow("letter after a colon") << QStringLiteral(
        "The draft reply to the parent is below: Dear Ms. Kowalski, I have forwarded your message to our school "
        "counsellor, who will call you this week. Warm regards, Mr. Chen");
    QTest::newRow("letter laid out") << QStringLiteral(
        "Here's a draft you can send:\n\nDear Ms. Park,\n\nI have forwarded your note to our counsellor, who will call "
        "you this week.\n\nKind regards,\nMr. Li");
    QTest::newRow("let us know") << QStringLiteral("I hope this helps - let us know how it goes.");
    QTest::newRow("passive") << QStringLiteral("I was told the deadline moved to Friday, so here is a new plan.");
    QTest::newRow("a thing called") << QStringLiteral("I use a strategy called the jigsaw method with mixed groups.");
}

void TestHallucinationGuard::leavesHonestTextAlone()
{
    QFETCH(QString, reply);
    QStringList claims;
    QCOMPARE(HallucinationGuard::check(reply, QString(), &claims), reply);
    QVERIFY(claims.isEmpty());
}

void TestHallucinationGuard::realTicketMakesSupportClaimsTrue()
{
    const QString real = QStringLiteral("TICKET-3f9a1c2e-20261123095630");
    const QString honest = QStringLiteral("Support has the transcript as ticket %1. Meanwhile, try this.").arg(real);
    QStringList claims;
    QCOMPARE(HallucinationGuard::check(honest, real, &claims), honest);
    QVERIFY(claims.isEmpty());

    const QString out = HallucinationGuard::check(
        QStringLiteral("Your ticket is TICKET-00000000-20200101000000. Bye."), real, &claims);
    QCOMPARE(claims, QStringList { QStringLiteral("ticket_id") });
    QVERIFY(!out.contains(QLatin1String("TICKET-00000000")));
    QVERIFY(out.contains(real));
}

void TestHallucinationGuard::streamingNeverShowsAClaim()
{
    const QString reply
        = QStringLiteral("Sure! I've created ticket TICKET-deadbeef-20260101000000 and emailed support.\n"
                         "Here is the list: Omar, Lena.");
    HallucinationGuard guard;
    QString shown;
    for (const QChar c : reply) {
        shown += guard.feed(QString(c));
        QVERIFY(!shown.contains(QLatin1String("TICKET-")));
        QVERIFY(!shown.contains(QLatin1String("emailed")));
    }
    shown += guard.finish();
    QCOMPARE(shown, HallucinationGuard::check(reply, QString()));
    QVERIFY(shown.startsWith(QLatin1String("Sure! ")));
    QVERIFY(shown.endsWith(QLatin1String("Here is the list: Omar, Lena.")));
    QCOMPARE(guard.claims(),
        (QStringList { QStringLiteral("ticket_id"), QStringLiteral("ticket_claim"), QStringLiteral("contact_claim") }));
}

void TestHallucinationGuard::saysTheHonestSentenceOnce()
{
    const QString out = HallucinationGuard::check(
        QStringLiteral("I opened a ticket. I also emailed support. And I notified the team."), QString());
    QCOMPARE(out.count(QLatin1String("can't open support tickets")), 1);
    QVERIFY(!out.contains(QLatin1String("emailed")));
}

void TestHallucinationGuard::qualityOnTheLabelledSets_data()
{
    QTest::addColumn<QString>("file");
    // The development set of the issue, and cases written here in other words than its rules.
    QTest::newRow("guard-dev") << QStringLiteral("guard-dev.tsv");
    QTest::newRow("guard-extra") << QStringLiteral("guard-extra.tsv");
    // Written by a second author who did not see the rules.
    QTest::newRow("guard-holdout") << QStringLiteral("guard-holdout.tsv");
    QTest::newRow("guard-holdout2") << QStringLiteral("guard-holdout2.tsv");
    QTest::newRow("guard-holdout3") << QStringLiteral("guard-holdout3.tsv");
}

void TestHallucinationGuard::qualityOnTheLabelledSets()
{
    QFETCH(QString, file);
    QFile f(Test::testDataPath(file));
    QVERIFY2(f.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(f.fileName()));
    int claims = 0;
    int caught = 0;
    int honest = 0;
    int unchanged = 0;
    QStringList missed;
    QStringList changed;
    bool header = true;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).chopped(1);
        if (header || line.isEmpty()) {
            header = false;
            continue;
        }
        const QString label = line.section(QLatin1Char('\t'), 0, 0);
        QString reply = line.section(QLatin1Char('\t'), 1);
        reply.replace(QLatin1String("\\n"), QLatin1String("\n"))
            .replace(QLatin1String("\\u00AD"), QString(QChar(0xAD)));
        const QString out = HallucinationGuard::check(reply, QString());
        if (label == QLatin1String("claim")) {
            ++claims;
            if (out != reply)
                ++caught;
            else
                missed << reply;
        } else {
            ++honest;
            if (out == reply)
                ++unchanged;
            else
                changed << reply;
        }
    }
    const double caughtShare = double(caught) / claims;
    const double unchangedShare = double(unchanged) / honest;
    qInfo("%s: %d of %d false claims caught (%.1f %%), %d of %d honest replies unchanged (%.1f %%)", qPrintable(file),
        caught, claims, 100 * caughtShare, unchanged, honest, 100 * unchangedShare);
    for (const QString &m : std::as_const(missed))
        qInfo("  missed: %s", qPrintable(m));
    for (const QString &c : std::as_const(changed))
        qInfo("  changed: %s", qPrintable(c));
    QVERIFY2(caughtShare >= 0.95, qPrintable(missed.join(QLatin1String(" | "))));
    QVERIFY2(unchangedShare >= 0.97, qPrintable(changed.join(QLatin1String(" | "))));
}

void TestHallucinationGuard::normalisesObfuscation_data()
{
    QTest::addColumn<QString>("reply");
    QTest::newRow("soft hyphen") << QStringLiteral("I've opened a ti\u00ADcket for you.");
    QTest::newRow("zero-width space") << QStringLiteral("I've con\u200Btacted support.");
    QTest::newRow("cyrillic o") << QStringLiteral("I've \u043Epened a ticket for you.");
    QTest::newRow("greek alpha") << QStringLiteral("I've emailed the support te\u03B1m.");
    QTest::newRow("en dash") << QStringLiteral("I've e\u2013mailed the support team.");
    QTest::newRow("fullwidth") << QStringLiteral("I've \uFF4Fpened a ticket for you.");
    QTest::newRow("line break") << QStringLiteral("I have opened a\nticket for you.");
    QTest::newRow("line separator") << QStringLiteral("I have contacted\u2028the support team.");
    QTest::newRow("list") << QStringLiteral("Here is what I did:\n1. Opened a ticket\n2. Emailed support");
}

void TestHallucinationGuard::normalisesObfuscation()
{
    QFETCH(QString, reply);
    QStringList claims;
    const QString out = HallucinationGuard::check(reply, QString(), &claims);
    QVERIFY2(!claims.isEmpty(), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("can't open support tickets")), qPrintable(out));
}

void TestHallucinationGuard::replacesOnlyTheClaimingSentence()
{
    // With a real ticket, what is said of support is true, but reaching anyone else is still false.
    const QString real = QStringLiteral("TICKET-3f9a1c2e-20261123095630");
    QStringList withTicket;
    QCOMPARE(HallucinationGuard::check(QStringLiteral("The support team has your conversation."), real, &withTicket),
        QStringLiteral("The support team has your conversation."));
    const QString parents = HallucinationGuard::check(
        QStringLiteral("I've emailed Aisha's parents about it. Loops next."), real, &withTicket);
    QVERIFY2(!parents.contains(QLatin1String("emailed")), qPrintable(parents));
    QVERIFY(parents.endsWith(QLatin1String("Loops next.")));

    QStringList claims;
    const QString out = HallucinationGuard::check(
        QStringLiteral("Loops repeat code. I've told the support team about it. Try a for loop next."), QString(),
        &claims);
    QVERIFY2(out.startsWith(QLatin1String("Loops repeat code. (I can't open")), qPrintable(out));
    QVERIFY2(out.endsWith(QLatin1String(" Try a for loop next.")), qPrintable(out));
    // An honest reply is not counted.
    HallucinationGuard guard;
    guard.feed(QStringLiteral("I recommend you contact support if the problem continues. "));
    guard.finish();
    QVERIFY(!guard.changed());
}

void TestHallucinationGuard::aDraftInQuotesIsNotTheAssistantsClaim()
{
    // A draft the teacher may send, or somebody's quoted words, speak for the teacher: the rules would read
    // "I've let the office know" as the assistant's act.
    const QString draft = QStringLiteral(
        "Here's an email you could send to the families: \u201CThe tech team has been told about the portal outage. "
        "I've let the office know, and I'll write again when it is back.\u201D Feel free to shorten it.");
    QStringList claims;
    QCOMPARE(HallucinationGuard::check(draft, QString(), &claims), draft);
    QVERIFY2(claims.isEmpty(), qPrintable(claims.join(QLatin1Char(','))));
    // The same, streamed a character at a time: the quote runs across sentences.
    HallucinationGuard streamed;
    QString shown;
    for (const QChar c : draft)
        shown += streamed.feed(QString(c));
    QCOMPARE(shown + streamed.finish(), draft);

    // Outside the quotes the assistant speaks: its claim is still replaced.
    const QString out = HallucinationGuard::check(
        QStringLiteral("I've emailed the support team this message: \"Grades do not export.\" Anything else?"),
        QString(), &claims);
    QVERIFY2(claims.contains(QStringLiteral("contact_claim")), qPrintable(claims.join(QLatin1Char(','))));
    QVERIFY(!out.contains(QLatin1String("emailed")));
    QVERIFY(out.endsWith(QLatin1String("Anything else?")));
    // Quotes that introduce nothing (no colon, no word of writing or saying) hide nothing.
    HallucinationGuard::check(
        QStringLiteral("Good news, I have \"contacted the support team\" already."), QString(), &claims);
    QVERIFY(claims.contains(QStringLiteral("contact_claim")));
    // A claim after a quote that spans sentences is judged again, streamed too.
    const QString afterDraft
        = QStringLiteral("A note you could send: \"The trip is on Friday. Bring a coat.\" I've also "
                         "emailed the support team about the bus.");
    HallucinationGuard afterStreamed;
    QString afterShown;
    for (const QChar c : afterDraft)
        afterShown += afterStreamed.feed(QString(c));
    afterShown += afterStreamed.finish();
    QVERIFY2(afterStreamed.claims().contains(QStringLiteral("contact_claim")), qPrintable(afterShown));
    QVERIFY(afterShown.startsWith(QLatin1String("A note you could send: \"The trip is on Friday. Bring a coat.\" ")));
    QVERIFY(!afterShown.contains(QLatin1String("emailed")));
    // What is not a draft: a quote left open ends at a blank line; an inch mark opens nothing; a bare colon
    // (a status) and support's reported words introduce no draft.
    for (const QString &claim :
        { QStringLiteral("Here's a note you could send: \"Hi all, the portal is slow today.\n\nI've contacted the "
                         "support team about it."),
            QStringLiteral("Something like a 12\" ruler works. I've contacted the support team."),
            QStringLiteral("Status: \"Escalated to the support team, an engineer will call you today.\""),
            QStringLiteral("The support team replied: \"We've logged your report and will call you tonight.\"") }) {
        HallucinationGuard::check(claim, QString(), &claims);
        QVERIFY2(claims.contains(QStringLiteral("contact_claim")), qPrintable(claim));
    }
    // The session's own ticket, quoted, stays.
    const QString real = QStringLiteral("TICKET-3f9a1c2e-20261123095630");
    const QString ownId = QStringLiteral("An email for the office: \"My support ticket is %1.\"").arg(real);
    QCOMPARE(HallucinationGuard::check(ownId, real, &claims), ownId);
    QVERIFY(claims.isEmpty());
    // A ticket ID that is not the session's is replaced, quoted or not.
    const QString quotedId = HallucinationGuard::check(
        QStringLiteral("A note for the office: \"Our reference is TICKET-4411-20260101.\""), QString(), &claims);
    QCOMPARE(claims, QStringList { QStringLiteral("ticket_id") });
    QVERIFY(!quotedId.contains(QLatin1String("TICKET-4411")));
}

QTEST_GUILESS_MAIN(TestHallucinationGuard)
#include "tst_hallucinationguard.moc"
