// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "expositionchecker.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

namespace StatventFuzz {

namespace {

bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isMetricName(QByteArrayView name)
{
    if (name.isEmpty() || !(isLetter(name.front()) || name.front() == ':'))
        return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return isLetter(c) || isDigit(c) || c == ':'; });
}

bool isLabelName(QByteArrayView name)
{
    if (name.isEmpty() || !isLetter(name.front()))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return isLetter(c) || isDigit(c); });
}

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

//! A float as Go's strconv.ParseFloat reads it, which is what Prometheus uses.
bool parseFloat(QByteArrayView text, double &value)
{
    if (text == "+Inf" || text == "Inf") {
        value = std::numeric_limits<double>::infinity();
        return true;
    }
    if (text == "-Inf") {
        value = -std::numeric_limits<double>::infinity();
        return true;
    }
    if (text == "NaN") {
        value = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    QByteArrayView digits = text;
    if (!digits.isEmpty() && digits.front() == '+')
        digits = digits.sliced(1);
    // from_chars would also take "inf" and "nan" spelt other ways; Go takes those too, but the
    // writer has no business printing them, so only digits, signs, '.' and exponents pass.
    if (digits.isEmpty() || !std::all_of(digits.begin(), digits.end(), [](char c) {
            return isDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
        })) {
        return false;
    }
    const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return result.ptr == digits.data() + digits.size()
        && (result.ec == std::errc() || result.ec == std::errc::result_out_of_range);
}

//! Reads one line of the format, left to right.
class LineReader
{
public:
    explicit LineReader(QByteArrayView line)
        : m_rest(line)
    {
    }

    bool atEnd() const { return m_rest.isEmpty(); }
    bool next(char c)
    {
        if (m_rest.isEmpty() || m_rest.front() != c)
            return false;
        m_rest = m_rest.sliced(1);
        return true;
    }
    void skipBlanks()
    {
        while (!m_rest.isEmpty() && isBlank(m_rest.front()))
            m_rest = m_rest.sliced(1);
    }
    //! Up to the next blank, or to \a stop.
    QByteArrayView token(char stop = ' ')
    {
        qsizetype end = 0;
        while (end < m_rest.size() && !isBlank(m_rest[end]) && m_rest[end] != stop)
            ++end;
        const QByteArrayView token = m_rest.first(end);
        m_rest = m_rest.sliced(end);
        return token;
    }
    QByteArrayView identifier()
    {
        qsizetype end = 0;
        while (end < m_rest.size()
               && (isLetter(m_rest[end]) || isDigit(m_rest[end]) || m_rest[end] == ':'))
            ++end;
        const QByteArrayView name = m_rest.first(end);
        m_rest = m_rest.sliced(end);
        return name;
    }
    QByteArrayView rest() const { return m_rest; }

    /*!
     * Unescapes up to the closing quote (label values, \a quoted) or the end of the line (HELP
     * text). Returns false on an escape the format does not define, or a missing quote.
     */
    bool unescape(bool quoted, QByteArray &out)
    {
        while (!m_rest.isEmpty()) {
            const char c = m_rest.front();
            m_rest = m_rest.sliced(1);
            if (quoted && c == '"')
                return true;
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (m_rest.isEmpty())
                return false;
            const char escaped = m_rest.front();
            m_rest = m_rest.sliced(1);
            if (escaped == '\\')
                out.append('\\');
            else if (escaped == 'n')
                out.append('\n');
            else if (quoted && escaped == '"')
                out.append('"');
            else
                return false;
        }
        return !quoted;
    }

private:
    QByteArrayView m_rest;
};

class Checker
{
public:
    ExpositionChecker::Result run(QByteArrayView text)
    {
        if (!text.isValidUtf8())
            return fail("the text is not valid UTF-8");
        if (!text.isEmpty() && !text.endsWith('\n'))
            return fail("the last line has no line feed");
        qsizetype start = 0;
        while (start < text.size()) {
            ++m_lineNumber;
            const qsizetype end = text.indexOf('\n', start);
            if (!checkLine(text.sliced(start, end - start)))
                return std::move(m_result);
            start = end + 1;
        }
        return std::move(m_result);
    }

private:
    ExpositionChecker::Result fail(const char *what)
    {
        m_result.error = "line " + QByteArray::number(m_lineNumber) + ": " + what;
        return std::move(m_result);
    }

    bool reject(const char *what)
    {
        fail(what);
        return false;
    }

    bool checkLine(QByteArrayView line)
    {
        if (line.isEmpty())
            return reject("blank line");
        LineReader reader(line);
        if (reader.next('#'))
            return checkComment(reader);
        return checkSample(reader);
    }

    bool checkComment(LineReader &reader)
    {
        reader.skipBlanks();
        const QByteArrayView keyword = reader.token();
        if (keyword != "HELP" && keyword != "TYPE")
            return true; // a plain comment
        reader.skipBlanks();
        const QByteArrayView metric = reader.token();
        if (!isMetricName(metric))
            return reject("HELP or TYPE names no valid metric");
        if (!reader.atEnd() && !reader.next(' ') && !reader.next('\t'))
            return reject("HELP or TYPE: metric name not followed by a blank");
        if (keyword == "HELP") {
            if (!m_helped.insert(metric.toByteArray()).second)
                return reject("second HELP for a metric");
            QByteArray help;
            return reader.unescape(false, help) || reject("HELP text with an undefined escape");
        }
        if (m_sampled.contains(metric.toByteArray()))
            return reject("TYPE after the metric's samples");
        if (!m_typed.insert(metric.toByteArray()).second)
            return reject("second TYPE for a metric");
        reader.skipBlanks();
        const QByteArrayView type = reader.token();
        constexpr QByteArrayView types[] = {"counter", "gauge", "histogram", "summary", "untyped"};
        if (std::find(std::begin(types), std::end(types), type) == std::end(types))
            return reject("unknown TYPE");
        reader.skipBlanks();
        return reader.atEnd() || reject("text after the TYPE");
    }

    bool checkSample(LineReader &reader)
    {
        ExpositionChecker::Sample sample;
        sample.metric = reader.identifier().toByteArray();
        if (!isMetricName(sample.metric))
            return reject("a sample line does not start with a metric name");
        if (sample.metric != m_currentMetric) {
            if (m_sampled.contains(sample.metric))
                return reject("the metric's samples are not in one group");
            m_sampled.insert(sample.metric);
            m_currentMetric = sample.metric;
        }
        reader.skipBlanks();
        if (reader.next('{') && !readLabels(reader, sample))
            return false;
        reader.skipBlanks();
        if (!parseFloat(reader.token(), sample.value))
            return reject("the sample value is not a float");
        reader.skipBlanks();
        if (!reader.atEnd()) {
            const QByteArrayView timestamp = reader.token();
            qint64 milliseconds = 0;
            const auto result = std::from_chars(timestamp.data(),
                                                timestamp.data() + timestamp.size(), milliseconds);
            if (result.ec != std::errc() || result.ptr != timestamp.data() + timestamp.size())
                return reject("the timestamp is not an integer");
            reader.skipBlanks();
            if (!reader.atEnd())
                return reject("text after the timestamp");
        }
        QByteArray series = sample.metric;
        auto labels = sample.labels;
        std::sort(labels.begin(), labels.end());
        for (const auto &[name, value] : labels)
            series += '\0' + name + '\0' + value.toHex();
        if (!m_series.insert(series).second)
            return reject("a second sample with the same metric and labels");
        m_result.samples.append(std::move(sample));
        return true;
    }

    bool readLabels(LineReader &reader, ExpositionChecker::Sample &sample)
    {
        for (;;) {
            reader.skipBlanks();
            if (reader.next('}'))
                return true;
            const QByteArrayView name = reader.identifier();
            if (!isLabelName(name))
                return reject("invalid label name");
            if (name == "__name__")
                return reject("the reserved label __name__");
            if (sample.hasLabel(name))
                return reject("a label repeated in one sample");
            reader.skipBlanks();
            if (!reader.next('='))
                return reject("no '=' after a label name");
            reader.skipBlanks();
            if (!reader.next('"'))
                return reject("a label value without its opening quote");
            QByteArray value;
            if (!reader.unescape(true, value))
                return reject("a label value with an undefined escape or no closing quote");
            sample.labels.append({name.toByteArray(), value});
            reader.skipBlanks();
            if (reader.next('}'))
                return true;
            if (!reader.next(','))
                return reject("no ',' or '}' after a label value");
        }
    }

    ExpositionChecker::Result m_result;
    qsizetype m_lineNumber = 0;
    QByteArray m_currentMetric;
    std::set<QByteArray> m_sampled;
    std::set<QByteArray> m_helped;
    std::set<QByteArray> m_typed;
    std::set<QByteArray> m_series;
};

} // namespace

QByteArray ExpositionChecker::Sample::label(QByteArrayView name) const
{
    for (const auto &[labelName, labelValue] : labels) {
        if (labelName == name)
            return labelValue;
    }
    return {};
}

bool ExpositionChecker::Sample::hasLabel(QByteArrayView name) const
{
    return std::any_of(labels.cbegin(), labels.cend(),
                       [name](const auto &label) { return label.first == name; });
}

ExpositionChecker::Result ExpositionChecker::check(QByteArrayView text)
{
    return Checker().run(text);
}

} // namespace StatventFuzz
