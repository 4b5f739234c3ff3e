#include "textmodel.h"

#include "config.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <fasttext/fasttext.h>
#include <sstream>

namespace LearnPulse {

namespace {

// fastText hands out log(p + 1e-5): a certain label would read as a little more than 1.
float probability(float logProbability)
{
    return std::clamp(std::exp(logProbability) - 1e-5F, 0.0F, 1.0F);
}

constexpr qint64 maxModelBytes = 64 * 1024 * 1024;
constexpr int32_t fastTextMagic = 793712314; // FASTTEXT_FILEFORMAT_MAGIC_INT32
constexpr int32_t fastTextVersion = 12; // FASTTEXT_VERSION of Debian 12's fastText 0.9.2
const std::string labelPrefix = "__label__";

std::vector<std::string> tokensOf(const std::string &normalised)
{
    std::vector<std::string> tokens;
    std::string::size_type start = 0;
    while (start < normalised.size()) {
        const auto end = normalised.find(' ', start);
        tokens.push_back(normalised.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return tokens;
}

} // namespace

TextModel::~TextModel() = default;

std::string TextModel::normalise(const QString &text)
{
    const QString folded = text.normalized(QString::NormalizationForm_KC).toLower();
    QString out;
    out.reserve(folded.size() + 8);
    bool inWord = false;
    bool inDigits = false;
    auto space = [&out] {
        if (!out.isEmpty() && !out.endsWith(QLatin1Char(' ')))
            out += QLatin1Char(' ');
    };
    for (const char32_t c : folded.toUcs4()) {
        const bool apostrophe = c == U'\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == U'`';
        if (QChar::isDigit(c)) {
            if (!inWord)
                space();
            if (!inDigits)
                out += QLatin1Char('0');
            inWord = inDigits = true;
            continue;
        }
        inDigits = false;
        if (QChar::isLetterOrNumber(c) || apostrophe) {
            if (!inWord)
                space();
            if (apostrophe)
                out += QLatin1Char('\'');
            else
                out += QString::fromUcs4(&c, 1);
            inWord = true;
            continue;
        }
        inWord = false;
        const QChar::Category category = QChar::category(c);
        if (QChar::isSpace(c) || category == QChar::Mark_NonSpacing || category == QChar::Mark_Enclosing
            || category == QChar::Other_Format || category == QChar::Other_Control)
            continue; // joiners and variation selectors go with the mark before them
        space();
        out += QString::fromUcs4(&c, 1);
        out += QLatin1Char(' ');
    }
    return out.trimmed().toStdString();
}

Result<std::shared_ptr<const TextModel>> TextModel::fromFile(const QString &path)
{
    using R = Result<std::shared_ptr<const TextModel>>;
    QFile model(path);
    if (!model.exists())
        return R::failure(QStringLiteral("the model file %1 does not exist").arg(path), ErrorKind::NotFound);
    // A model is read like the settings file: only a file of this user's that nobody else can write (what fastText
    // reads is trusted to be a model the training script wrote; the checksum catches accidental damage).
    if (auto trusted = Config::checkOwnership(path, false); !trusted)
        return R::failure(QString(trusted.error()).replace(QLatin1String("settings file"), QLatin1String("model file")),
            ErrorKind::Forbidden);
    if (QFileInfo(path).size() > maxModelBytes || !model.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("the model file %1 cannot be read").arg(path));
    QString metaPath = path;
    if (metaPath.endsWith(QLatin1String(".ftz")) || metaPath.endsWith(QLatin1String(".bin")))
        metaPath.chop(4);
    metaPath += QLatin1String(".json");
    QFile meta(metaPath);
    if (!meta.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("the model's metadata file %1 cannot be read").arg(metaPath));
    return fromBytes(model.readAll(), meta.read(1024 * 1024), path);
}

Result<std::shared_ptr<const TextModel>> TextModel::fromBytes(
    const QByteArray &model, const QByteArray &metadata, const QString &origin)
{
    using R = Result<std::shared_ptr<const TextModel>>;
    const QJsonDocument doc = QJsonDocument::fromJson(metadata);
    if (!doc.isObject())
        return R::failure(QStringLiteral("the metadata of the model %1 is not a JSON object").arg(origin));
    const QString expected = doc.object().value(QLatin1String("sha256")).toString();
    if (model.isEmpty() || model.size() > maxModelBytes
        || QCryptographicHash::hash(model, QCryptographicHash::Sha256).toHex() != expected.toLatin1())
        return R::failure(
            QStringLiteral("the model file %1 is damaged (its checksum does not match its metadata)").arg(origin));
    std::shared_ptr<TextModel> m(new TextModel);
    m->m_fastText = std::make_unique<fasttext::FastText>();
    try {
        // loadModel(std::istream &) reads what follows fastText's header (its magic number and version), which
        // loadModel(filename) checks first: checked here the same way.
        std::istringstream in(std::string(model.constData(), size_t(model.size())));
        int32_t magic = 0;
        int32_t version = 0;
        in.read(reinterpret_cast<char *>(&magic), sizeof magic);
        in.read(reinterpret_cast<char *>(&version), sizeof version);
        if (!in || magic != fastTextMagic || version > fastTextVersion)
            return R::failure(
                QStringLiteral("the model file %1 is not a fastText model of a version this build reads").arg(origin));
        m->m_fastText->loadModel(in);
    } catch (const std::exception &e) {
        return R::failure(
            QStringLiteral("the model file %1 cannot be loaded: %2").arg(origin, QString::fromLocal8Bit(e.what())));
    }
    const auto dict = m->m_fastText->getDictionary();
    if (m->m_fastText->getArgs().model != fasttext::model_name::sup || dict->nlabels() < 2)
        return R::failure(QStringLiteral("the model file %1 is not a text classifier").arg(origin));
    for (int32_t i = 0; i < dict->nlabels(); ++i) {
        std::string label = dict->getLabel(i);
        if (label.rfind(labelPrefix, 0) == 0)
            label.erase(0, labelPrefix.size());
        m->m_labels << QString::fromStdString(label);
    }
    m->m_metadata = doc.object();
    m->m_origin = origin;
    return R(std::shared_ptr<const TextModel>(std::move(m)));
}

double TextModel::knownShare(const QString &text) const
{
    const auto dict = m_fastText->getDictionary();
    int words = 0;
    int known = 0;
    for (const std::string &token : tokensOf(normalise(text))) {
        const QString word = QString::fromUtf8(token.data(), qsizetype(token.size()));
        if (std::none_of(word.cbegin(), word.cend(), [](QChar c) { return c.isLetter(); }))
            continue; // a mark, a number, an emoji: not a word to know
        ++words;
        if (dict->getId(token) >= 0)
            ++known;
    }
    return words == 0 ? 1.0 : double(known) / words;
}

QStringList TextModel::labels() const
{
    return m_labels;
}

QHash<QString, float> TextModel::predict(const QString &text) const
{
    QHash<QString, float> out;
    std::istringstream in(normalise(text) + '\n');
    std::vector<int32_t> words;
    std::vector<int32_t> labels;
    m_fastText->getDictionary()->getLine(in, words, labels);
    fasttext::Predictions predictions;
    m_fastText->predict(-1, words, predictions, 0.0);
    for (const auto &[logProbability, label] : predictions)
        if (label >= 0 && label < m_labels.size())
            out.insert(m_labels.at(label), probability(logProbability));
    for (const QString &label : m_labels)
        if (!out.contains(label))
            out.insert(label, 0.0F);
    return out;
}

float TextModel::notLabel(const std::string &normalised, int32_t label) const
{
    std::istringstream in(normalised + '\n');
    std::vector<int32_t> words;
    std::vector<int32_t> labels;
    m_fastText->getDictionary()->getLine(in, words, labels);
    fasttext::Predictions predictions;
    m_fastText->predict(-1, words, predictions, 0.0);
    float p = 1.0F;
    for (const auto &[logProbability, l] : predictions)
        if (l == label)
            p = 1.0F - probability(logProbability);
    // In log-odds: a confident model's probability hardly moves when one word goes, its log-odds do.
    p = std::clamp(p, 1e-6F, 1.0F - 1e-6F);
    return std::log(p / (1.0F - p));
}

QStringList TextModel::weightiest(const QString &text, const QString &negativeLabel, int count) const
{
    const int32_t label = int32_t(m_labels.indexOf(negativeLabel));
    if (label < 0 || count <= 0)
        return {};
    const std::string normalised = normalise(text);
    const std::vector<std::string> tokens = tokensOf(normalised);
    if (tokens.empty() || tokens.size() > 200)
        return {};
    const float whole = notLabel(normalised, label); // log-odds
    std::vector<std::pair<float, std::string>> drops;
    for (size_t i = 0; i < tokens.size(); ++i) {
        const std::string &token = tokens[i];
        if (token.size() == 1 && !std::isalnum(static_cast<unsigned char>(token[0])))
            continue; // a mark on its own is not a word to show
        if (std::any_of(drops.cbegin(), drops.cend(), [&token](const auto &d) { return d.second == token; }))
            continue;
        std::string without;
        for (size_t j = 0; j < tokens.size(); ++j)
            if (tokens[j] != token)
                without += (without.empty() ? "" : " ") + tokens[j];
        const float drop = whole - notLabel(without, label);
        if (drop > 0.05F)
            drops.emplace_back(drop, token);
    }
    std::stable_sort(drops.begin(), drops.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    QStringList words;
    for (const auto &d : drops) {
        if (words.size() == count)
            break;
        words << QString::fromStdString(d.second);
    }
    return words;
}

} // namespace LearnPulse
