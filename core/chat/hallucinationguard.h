#pragma once

#include <QString>
#include <QStringList>

#include <memory>

namespace LearnPulse {

class TextModel;

// The trained sentence classifier beside the guard's clause rules (issue 25): a sentence the model reads as a
// claim of a hand-off ("claim" at or above `threshold`) is replaced too ("model_claim"), unless the
// conversation has its real ticket (then saying support has it is true, and only the rules judge).
struct GuardModel
{
    std::shared_ptr<const TextModel> model;
    double threshold = 0.6;
};

// Keeps the assistant from telling a teacher that something happened which the application did not
// do: a TICKET-... ID that is not this session's real ticket, "I've opened a ticket", "I've emailed
// support". Such a sentence is replaced by an honest one (DESIGN.md, "Key principle"). Works on a
// stream: text is released a sentence at a time, so that no claim is shown before it is checked.
class HallucinationGuard final
{
public:
    // `realTicketId`: the session's ticket, if the application opened one; claims that the
    // conversation is with support are then true, and only other ticket IDs are replaced.
    explicit HallucinationGuard(QString realTicketId = {}, GuardModel model = {});

    // Adds streamed text; returns what is now safe to show (whole, checked sentences).
    QString feed(const QString &delta);
    // Ends the stream; returns the checked rest.
    QString finish();
    // The whole reply at once: feed() and finish() of a fresh guard.
    static QString check(
        const QString &reply, const QString &realTicketId, QStringList *claims = nullptr, const GuardModel &model = {});
    // The sentences the guard judges one by one, as feed() and finish() cut a reply (training and evaluation
    // use the same cut); with `judged`, also what of each the guard judges: normalised, without drafts in quotes
    // (OwnWords).
    static QStringList sentences(const QString &reply, QStringList *judged = nullptr);

    // Kinds of claim replaced so far: "ticket_id", "ticket_claim", "contact_claim", "model_claim".
    const QStringList &claims() const { return m_claims; }
    bool changed() const { return !m_claims.isEmpty(); }

    static QString honestSentence(const QString &realTicketId);
    // The kinds of false claim in one sentence ("ticket_id", "ticket_claim", "contact_claim"; with a model,
    // "model_claim").
    static QStringList claimsIn(const QString &sentence, const QString &realTicketId, const GuardModel &model = {});
    // The text as the guard judges it: NFKC, invisible characters dropped, look-alike letters mapped to
    // Latin, dashes and quotes unified, every kind of line break a newline.
    static QString normalise(const QString &text);

private:
    // What of a reply's next sentence (normalised) is the assistant's own words: text in double or single quotes
    // introduced as a draft to send ("Draft reply to the parent: "I've shared them with our principal...""), or a
    // letter that opens with a greeting after such an introduction and a colon ("Here's a draft: Dear Ms. Chen, I have
    // forwarded..."; it runs to a blank line after its first, to its sign-off or 600 characters), is the teacher's
    // words, not a claim of the assistant, and is left out. A quote runs across sentences, so this keeps state: next()
    // for each sentence of one reply, in order.
    class OwnWords final
    {
    public:
        QString next(const QString &normalisedSentence);

    private:
        bool m_inQuote = false;
        bool m_draft = false;
        QChar m_quote; // what opened the quote: '"', '\'', or nothing for a letter that runs to a blank line
        qsizetype m_quoted = 0;
        QString m_before;
    };

    QString guardSentence(const QString &sentence);

    // Cuts whole sentences off the front of `buffer`, leaving the unfinished rest.
    static QStringList takeSentences(QString &buffer);

    QString m_realTicketId;
    GuardModel m_model;
    QString m_buffer;
    QStringList m_claims;
    OwnWords m_ownWords;
    bool m_honestSaid = false;
};

} // namespace LearnPulse
