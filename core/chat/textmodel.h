#pragma once

#include "result.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <string>

namespace fasttext {
class FastText;
}

namespace LearnPulse {

// A trained text classifier (fastText, issue 25): words and word pairs (the training script's parameters), a quantised
// model. It labels a teacher message (unhappy, person, correction, none) or one sentence of the assistant (claim,
// honest). The model file comes with a metadata file (<name>.json, written by scripts/train-models.sh) that
// holds its SHA-256, the hash of the data it was trained on, its parameters and what each threshold trades; a
// model whose bytes do not match is refused before fastText reads it (a damaged file never reaches the
// parser). Prediction is thread-safe.
class TextModel final
{
public:
    ~TextModel();
    TextModel(const TextModel &) = delete;
    TextModel &operator=(const TextModel &) = delete;

    // `path` and `path` with ".json" in place of ".ftz". Errors say what is wrong in words.
    static Result<std::shared_ptr<const TextModel>> fromFile(const QString &path);
    static Result<std::shared_ptr<const TextModel>> fromBytes(
        const QByteArray &model, const QByteArray &metadata, const QString &origin);

    // The probability of each label ("unhappy", "person", "correction", "none"; "claim", "honest").
    QHash<QString, float> predict(const QString &text) const;
    // The words of `text` whose absence lowers the probability of not being `negativeLabel` the most, strongest
    // first (at most `count`; words that raise it are left out).
    QStringList weightiest(const QString &text, const QString &negativeLabel, int count) const;

    // The share of the words of `text` (tokens with a letter) that the model knows: a message in a language it never
    // learnt ("Quiero hablar con una persona") gets a reading from a handful of words or none, not one to trust.
    double knownShare(const QString &text) const;
    QStringList labels() const;
    const QJsonObject &metadata() const { return m_metadata; }
    QString origin() const { return m_origin; }

    // The form the model sees, the same in training (learnpulsectl model prepare) and prediction: NFKC, lower
    // case, straight apostrophes, digit runs as "0", every other mark a word of its own, single spaces.
    static std::string normalise(const QString &text);

private:
    TextModel() = default;
    // The log-odds that `normalised` is not `label`.
    float notLabel(const std::string &normalised, int32_t label) const;

    std::unique_ptr<fasttext::FastText> m_fastText;
    QStringList m_labels; // by the model's label index, without "__label__"
    QJsonObject m_metadata;
    QString m_origin;
};

} // namespace LearnPulse
