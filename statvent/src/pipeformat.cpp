// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/pipeformat.h"

#include "valuetext.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace Statvent {

namespace {

bool isBlank(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

QByteArrayView trimmed(QByteArrayView text) noexcept
{
    qsizetype begin = 0;
    qsizetype end = text.size();
    while (begin < end && isBlank(text[begin]))
        ++begin;
    while (end > begin && isBlank(text[end - 1]))
        --end;
    return text.sliced(begin, end - begin);
}

/*!
 * Whether \a number, a decimal that std::from_chars() found outside a double's range, is too
 * small rather than too large: whether its first significant digit stands for a negative power
 * of ten. Out of range, that power is beyond ±300, so its sign is never in doubt.
 */
bool isBelowDoubleRange(QByteArrayView number) noexcept
{
    qsizetype exponentAt = number.indexOf('e');
    if (exponentAt < 0)
        exponentAt = number.indexOf('E');
    QByteArrayView mantissa = exponentAt < 0 ? number : number.first(exponentAt);
    if (mantissa.startsWith('-'))
        mantissa = mantissa.sliced(1);
    const qsizetype point = mantissa.indexOf('.');
    QByteArrayView integerPart = point < 0 ? mantissa : mantissa.first(point);
    while (integerPart.startsWith('0'))
        integerPart = integerPart.sliced(1);
    qint64 power;
    if (!integerPart.isEmpty()) {
        power = integerPart.size() - 1;
    } else {
        const QByteArrayView fraction = point < 0 ? QByteArrayView() : mantissa.sliced(point + 1);
        const auto firstSignificant =
            std::find_if(fraction.begin(), fraction.end(), [](char c) { return c != '0'; });
        power = -1 - (firstSignificant - fraction.begin());
    }
    if (exponentAt >= 0) {
        QByteArrayView exponentText = number.sliced(exponentAt + 1);
        const bool negative = exponentText.startsWith('-');
        if (negative || exponentText.startsWith('+'))
            exponentText = exponentText.sliced(1);
        // Saturated: any exponent beyond a million is as good as infinite here.
        qint64 exponent = 0;
        for (char digit : exponentText)
            exponent = std::min<qint64>(exponent * 10 + (digit - '0'), 1'000'000);
        power += negative ? -exponent : exponent;
    }
    return power < 0;
}

} // namespace

namespace {

using Detail::ValueText;
constexpr qsizetype MaxValueLength = ValueText::MaxValueLength;

// Writes `name: value\n` at \a at, which has room for name.size() + MaxValueLength + 3 bytes;
// returns the end. appendLine() and serialize() size their buffers by that rule.
char *writeLine(char *at, QByteArrayView name, const StatValue &value) noexcept
{
    std::memcpy(at, name.data(), size_t(name.size()));
    at += name.size();
    *at++ = ':';
    *at++ = ' ';
    at = ValueText::writeValue(at, value);
    *at++ = '\n';
    return at;
}

} // namespace

void PipeFormat::appendValue(QByteArray &out, const StatValue &value)
{
    char buffer[MaxValueLength];
    out.append(buffer, ValueText::writeValue(buffer, value) - buffer);
}

void PipeFormat::appendLine(QByteArray &out, QByteArrayView name, const StatValue &value)
{
    const qsizetype start = out.size();
    out.resize(start + name.size() + MaxValueLength + 3);
    out.resize(writeLine(out.data() + start, name, value) - out.constData());
}

QByteArray PipeFormat::serialize(const Snapshot &snapshot)
{
    // One allocation for the worst case, then plain stores: no per-line capacity checks.
    qsizetype size = 0;
    for (const StatEntry &entry : snapshot)
        size += entry.name.size() + MaxValueLength + 3;
    QByteArray out(size, Qt::Uninitialized);
    char *at = out.data();
    for (const StatEntry &entry : snapshot)
        at = writeLine(at, entry.name, entry.value);
    out.truncate(at - out.constData());
    return out;
}

std::optional<StatValue> PipeFormat::parseValue(QByteArrayView text, LineError *error)
{
    auto fail = [error](LineError e) -> std::optional<StatValue> {
        if (error)
            *error = e;
        return std::nullopt;
    };
    QByteArrayView value = trimmed(text);
    if (value.isEmpty())
        return fail(LineError::EmptyValue);

    // std::from_chars takes no leading '+'; Python's int() and float() do.
    QByteArrayView digits = value;
    if (digits.front() == '+') {
        digits = digits.sliced(1);
        if (digits.isEmpty() || digits.front() == '-' || digits.front() == '+')
            return fail(LineError::NotANumber);
    }
    const char *begin = digits.data();
    const char *end = begin + digits.size();

    qint64 integer = 0;
    const auto intResult = std::from_chars(begin, end, integer);
    if (intResult.ec == std::errc() && intResult.ptr == end)
        return StatValue(integer);

    double real = 0;
    const auto realResult = std::from_chars(begin, end, real, std::chars_format::general);
    if (realResult.ptr != end
        || (realResult.ec != std::errc() && realResult.ec != std::errc::result_out_of_range))
        return fail(LineError::NotANumber);
    if (realResult.ec == std::errc::result_out_of_range) {
        // from_chars gives no value either way. Too small for a double is zero, as for Python's
        // float(); too large is not a finite number.
        if (isBelowDoubleRange(digits))
            return StatValue(0.0);
        return fail(LineError::NonFiniteValue);
    }
    if (!std::isfinite(real))
        return fail(LineError::NonFiniteValue);
    return StatValue(real);
}

PipeFormat::ParseResult PipeFormat::parse(QByteArrayView text)
{
    ParseResult result;
    // One allocation for the rows: a line per statistic is the common case.
    result.stats.reserve(std::count(text.begin(), text.end(), '\n') + 1);
    qsizetype lineNumber = 0;
    auto reject = [&](LineError error) {
        ++result.rejectedLines;
        if (result.rejections.size() < MaxReportedRejections)
            result.rejections.append({lineNumber, error});
    };

    qsizetype position = 0;
    while (position < text.size()) {
        ++lineNumber;
        const char *start = text.data() + position;
        const void *newline = std::memchr(start, '\n', size_t(text.size() - position));
        const qsizetype lineEnd =
            newline ? static_cast<const char *>(newline) - text.data() : text.size();
        QByteArrayView line = text.sliced(position, lineEnd - position);
        position = lineEnd + 1;

        LineView stat;
        LineError error = LineError::NoSeparator;
        switch (parseLine(line, &stat, &error)) {
        case LineKind::Stat:
            result.stats.append(StatEntry{stat.name.toByteArray(), stat.value});
            break;
        case LineKind::Blank:
            break;
        case LineKind::Rejected:
            reject(error);
            break;
        }
    }
    return result;
}

PipeFormat::LineKind PipeFormat::parseLine(QByteArrayView line, LineView *stat, LineError *error)
{
    if (!line.isEmpty() && line.back() == '\r')
        line.chop(1);
    if (trimmed(line).isEmpty())
        return LineKind::Blank;
    const auto reject = [error](LineError why) {
        *error = why;
        return LineKind::Rejected;
    };
    if (line.size() > MaxLineLength)
        return reject(LineError::LineTooLong);
    const qsizetype colon = line.lastIndexOf(':');
    if (colon < 0)
        return reject(LineError::NoSeparator);
    if (colon == 0)
        return reject(LineError::EmptyName);
    const std::optional<StatValue> value = parseValue(line.sliced(colon + 1), error);
    if (!value)
        return LineKind::Rejected;
    *stat = LineView{line.first(colon), *value};
    return LineKind::Stat;
}

bool PipeFormat::isValidName(QByteArrayView name) noexcept
{
    if (name.isEmpty() || name.size() > MaxNameLength)
        return false;
    return !std::memchr(name.data(), '\n', size_t(name.size()))
        && !std::memchr(name.data(), '\r', size_t(name.size()));
}

QLatin1StringView PipeFormat::describe(LineError error) noexcept
{
    switch (error) {
    case LineError::NoSeparator:
        return QLatin1StringView("no ':' separates a name from a value");
    case LineError::EmptyName:
        return QLatin1StringView("the name before ':' is empty");
    case LineError::EmptyValue:
        return QLatin1StringView("the value after ':' is empty");
    case LineError::NotANumber:
        return QLatin1StringView("the value is not a number");
    case LineError::NonFiniteValue:
        return QLatin1StringView("the value is not a finite number");
    case LineError::LineTooLong:
        return QLatin1StringView("the line is longer than the limit");
    }
    return QLatin1StringView("unknown error");
}

} // namespace Statvent
