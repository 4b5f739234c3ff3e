#pragma once

#include "detectortext.h"

#include <QRegularExpression>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace LearnPulse {

// What the detector found in one teacher message.
struct Detection
{
    bool dissatisfied = false;
    bool explicitRequest = false;
    QStringList rules; // names of the rules that matched, in rule-file order, no duplicates
    QStringList phrases = {}; // for each rule, the words it matched (in the normalised text)
    // A vague ask for a person ("is there someone I can email about this?"), not a request: the application
    // offers a ticket once instead of opening one. Never set together with `explicitRequest`.
    bool vagueRequest = false;
    QString vaguePhrase = {};
    // The trained model's part (MessageClassifier): the probability that the message is not "none" (-1: no
    // model), its strongest other label ("unhappy", "person", "correction"), and rules' matches it overruled.
    double modelScore = -1;
    QString modelLabel = {};
    QStringList overruled = {};
    // The message corrects or repeats a request the assistant got wrong (the model's label): such turns (and other
    // signals), all but one of a few in a row, bring the offer of a ticket (signals/corrections_before_offer).
    bool correction = false;

    // A rule name in words a teacher understands ("not_helpful" -> "said the answer was not helpful").
    static QString ruleInWords(const QString &rule);
    // Rules in words, each wording once, joined with "; ", each after `prefix` ("you ").
    static QString rulesInWords(const QStringList &rules, const QString &prefix = {});
};

// Result of loading a rule set: either usable rules or a readable error.
struct DetectorLoadResult;

// Deterministic, model-free classifier for teacher dissatisfaction. Rules come from a JSON resource
// (resources/rules/detector-rules.json) that an admin may replace with a file of the same shape.
// Text is normalised (case, apostrophes, contractions), split into clauses, and a rule match only
// counts when the clause is not about somebody else (a student, a parent, an object in class).
class Detector final
{
public:
    // The built-in rule set; never fails (the resource is validated by the tests).
    static const Detector &builtin();
    // Loads rules from a JSON file with the same shape as the built-in resource.
    static DetectorLoadResult fromFile(const QString &path);
    static DetectorLoadResult fromJson(const QByteArray &json, const QString &origin);
    // The admin's rules file when it exists (a broken one is an error), the built-in rules otherwise.
    static DetectorLoadResult withOverride(const QString &overrideFile);

    Detection detect(const QString &text) const;
    // Only the vague asks for a person (the offer of a ticket) and a message that is nothing but a word for a person
    // ("agent", "Human please."): what detect() finds when no other rule may count. With `asksExplicitly`, also what
    // asksExplicitly() says, from the same normalised text.
    Detection detectOffer(const QString &text, bool *asksExplicitly = nullptr) const;
    // Whether the text asks for a person or a ticket in words: an explicit rule that is not a mere mention ("mention"
    // in the rules file: "the support team" named), or a word for a person alone. What MessageClassifier looks for,
    // sentence by sentence, in a message its model reads as about something else.
    bool asksExplicitly(const QString &text) const;

    // The normalised form the rule patterns see (exposed for tests and for rule authors).
    QString normalise(const QString &text) const;

    QStringList ruleNames() const;

private:
    Detector() = default;

    struct Rule
    {
        QString name;
        QRegularExpression pattern;
        bool negatable = false;
        QStringList needs; // message rules: run only when the text contains one of these (empty: always)
        // An explicit rule that matches a mention ("the support team", "a real person") rather than words that ask:
        // it counts in a message, but does not make a sentence an ask on its own (asksExplicitly()).
        bool mention = false;
    };

    QString markPeople(const QString &text) const;
    // The whole normalised message is a word for a person ("escape_words", a slip of one letter allowed in a long
    // one) with only "escape_fillers" around it: the words typed at any chatbot to reach a person.
    bool asksOnlyForAPerson(const QString &normalised, QString *phrase) const;
    // The rule "escape_word" into `result` when the message is such an ask.
    bool addEscapeWord(const QString &normalised, Detection &result) const;
    QStringList clauses(const QString &normalised) const;
    // Each of `rules` (but the mentions, with `asksOnly`) on each clause (the first match a rule keeps counts), into
    // `result`.
    void applyRules(const std::vector<Rule> &rules, const QStringList &clauses, bool explicitRequest, Detection &result,
        bool asksOnly = false) const;
    bool aboutSomebodyElse(
        const QString &clause, const QString &match, qsizetype start, qsizetype end, bool explicitRule) const;

    std::vector<Rule> m_explicitRules;
    std::vector<Rule> m_complaintRules;
    std::vector<Rule> m_messageRules; // over the whole normalised message, clause breaks included
    DetectorText::Needles m_messageNeeds; // the message rules' "requires" strings, group = the rule's index
    std::vector<Rule> m_offerRules; // vague asks for a person, over the whole message: an offer, not a signal
    QStringList m_escapeWords;
    QSet<QString> m_escapeFillers;
    QRegularExpression m_people;
    QRegularExpression m_objects;
    QRegularExpression m_assistant;
    QRegularExpression m_negation;
    QRegularExpression m_clauseSeparators;
    QSet<QString> m_nameStopwords;
    QSet<QString> m_nameFollowers;
    QHash<QString, QString> m_contractions;
};

struct DetectorLoadResult
{
    std::shared_ptr<const Detector> detector; // null on error
    QString error;
};

} // namespace LearnPulse
