// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "fuzzinput.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace StatventFuzz {

namespace {

// Values at the edges of what a stat holds: where integer sums overflow, where doubles stop
// holding every integer, where formatting switches notation.
constexpr qint64 EdgeIntegers[] = {
    0,
    1,
    -1,
    2,
    9,
    10,
    99,
    100,
    101,
    std::numeric_limits<qint32>::max(),
    qint64(std::numeric_limits<qint32>::max()) + 1,
    (qint64(1) << 53) - 1,
    qint64(1) << 53,
    (qint64(1) << 53) + 1,
    std::numeric_limits<qint64>::max(),
    std::numeric_limits<qint64>::max() - 1,
    std::numeric_limits<qint64>::min(),
    std::numeric_limits<qint64>::min() + 1,
};
constexpr double EdgeDoubles[] = {
    0.0,
    -0.0,
    0.5,
    1.0,
    3.0,
    -3.0,
    0.1,
    1e-9,
    123.45,
    1e15,
    1e16,
    1e21,
    1e22,
    9007199254740992.0,
    9223372036854775807.0,
    -9223372036854775808.0,
    18446744073709551616.0,
    std::numeric_limits<double>::min(),
    std::numeric_limits<double>::denorm_min(),
    std::numeric_limits<double>::max(),
    -std::numeric_limits<double>::max(),
    std::numeric_limits<double>::epsilon(),
    std::numeric_limits<double>::infinity(),
    -std::numeric_limits<double>::infinity(),
    std::numeric_limits<double>::quiet_NaN(),
};

} // namespace

FuzzInput::FuzzInput(const uint8_t *data, size_t size) noexcept
    : m_rest(reinterpret_cast<const char *>(data), qsizetype(size))
{
}

quint8 FuzzInput::takeByte() noexcept
{
    if (m_rest.isEmpty())
        return 0;
    const quint8 byte = quint8(m_rest.front());
    m_rest = m_rest.sliced(1);
    return byte;
}

quint64 FuzzInput::takeWord() noexcept
{
    quint64 word = 0;
    for (int i = 0; i < 8; ++i)
        word |= quint64(takeByte()) << (8 * i);
    return word;
}

double FuzzInput::takeDouble() noexcept
{
    const quint64 bits = takeWord();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

double FuzzInput::takeInterestingDouble() noexcept
{
    const quint8 selector = takeByte();
    if (selector < std::size(EdgeDoubles))
        return EdgeDoubles[selector];
    if (selector < 128)
        return double(qint8(takeByte())); // small whole numbers, the common case for samples
    return takeDouble();
}

Statvent::StatValue FuzzInput::takeStatValue() noexcept
{
    const quint8 selector = takeByte();
    if (selector < std::size(EdgeIntegers))
        return EdgeIntegers[selector];
    if (selector < 64)
        return qint64(qint8(takeByte()));
    if (selector < 128)
        return qint64(takeWord());
    return takeInterestingDouble();
}

QByteArray FuzzInput::takeBytes(qsizetype maxLength)
{
    qsizetype length = takeByte();
    if (length == 0xff)
        length = takeByte() | (qsizetype(takeByte()) << 8);
    length = std::min({length, maxLength, m_rest.size()});
    const QByteArray bytes = m_rest.first(length).toByteArray();
    m_rest = m_rest.sliced(length);
    return bytes;
}

Statvent::Snapshot FuzzInput::takeSnapshot(qsizetype maxEntries, qsizetype maxNameLength)
{
    Statvent::Snapshot snapshot;
    while (!atEnd() && snapshot.size() < maxEntries) {
        QByteArray name = takeBytes(maxNameLength);
        snapshot.append(Statvent::StatEntry{std::move(name), takeStatValue()});
    }
    return snapshot;
}

} // namespace StatventFuzz
