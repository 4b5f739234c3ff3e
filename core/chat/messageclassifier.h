#pragma once

#include "detector.h"

#include <memory>

namespace LearnPulse {

class TextModel;

// How the trained model and the rules decide together (docs/DESIGN.md, "Dissatisfaction detection"). Tuned
// for precision: a false ticket costs support time.
struct ModelPolicy
{
    // The model counts a message as a signal when the probability that it is not "none" reaches this.
    double threshold = 0.8;
    // A rule's match counts only while the model's "none" stays below this: a message the model reads, with
    // confidence, as about something else (students, the weather, another program) is not a signal.
    double gate = 0.7;
    // ... in a message of at least this many words: in a shorter one ("Terrible answer.") the rule's match is most of
    // the message, and the model's reading of it as about something else has little to go on.
    int gateWords = 7;
    // The model's "correction" reading (its strongest label but "none") marks the turn toward the offer of a ticket
    // (signals/corrections_before_offer) from this probability of not "none": an offer the teacher may decline costs
    // less than a false signal (leave one batch out, conversations: recall 0.854 -> 0.891, precision 0.959 -> 0.945
    // against the model threshold; docs/DATA.md).
    double correctionThreshold = 0.15;
    // The model alone asks for a person (a ticket at once) when "person" is its strongest label and reaches this.
    double personThreshold = 0.5;
    // The model's confident "none" overrules an explicit ask the rules found only when the model knows at least this
    // share of the message's words: a message in another language ("Passez-moi quelqu'un du support") is read by a
    // few words or none, and the rules' match stands.
    double knownShare = 0.5;
};

// The dissatisfaction detector: the rules (Detector: what counted by name, explicit asks, vague asks, remarks
// about somebody else) and the trained model (TextModel: the message as a whole) in one decision. Without a
// model it is the rules alone. Thread-safe.
class MessageClassifier final
{
public:
    MessageClassifier(std::shared_ptr<const Detector> rules, std::shared_ptr<const TextModel> model = nullptr,
        ModelPolicy policy = {});

    // With `explain`, a message the model counted names the words that weighed most (the rule "model_<label>"'s
    // phrase); without, that phrase is left empty (a few more predictions per counted message). A message the
    // model reads with confidence as none of its business skips the rules but the vague asks (no other rule could
    // count), unless `everyRule` asks for the rules it overrules (Detection::overruled, detect --explain).
    Detection classify(const QString &text, bool explain = true, bool everyRule = false) const;

    const Detector &rules() const { return *m_rules; }
    const TextModel *model() const { return m_model.get(); }
    const ModelPolicy &policy() const { return m_policy; }

    // The rules' names of the model's part: "model_unhappy", "model_person", "model_correction".
    static bool isModelRule(const QString &rule) { return rule.startsWith(QLatin1String("model_")); }

private:
    // A sentence of a message of several that the rules read as an explicit ask and the model, reading that sentence
    // alone, does not read with confidence as about something else (or too short to read).
    bool asksInASentence(const QString &text) const;
    // Whether the model knows enough of the words of `text` (ModelPolicy::knownShare) for its "none" to overrule an
    // ask the rules found.
    bool knowsTheWords(const QString &text) const;

    std::shared_ptr<const Detector> m_rules;
    std::shared_ptr<const TextModel> m_model;
    ModelPolicy m_policy;
};

} // namespace LearnPulse
