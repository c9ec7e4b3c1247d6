// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_UTF8NAME_H
#define STATVENT_UTF8NAME_H

#include <QAnyStringView>
#include <QByteArray>
#include <QByteArrayView>
#include <QVarLengthArray>

#include <cstring>

namespace Statvent::Detail {

/*!
 * A statistic's name as UTF-8 bytes plus its hash, from whatever string type the caller used.
 * UTF-8 input (string literals, QByteArray) is used in place; ASCII in Latin-1 or UTF-16 is
 * narrowed on the stack; only non-ASCII Latin-1/UTF-16 names allocate.
 */
class Utf8Name
{
public:
    explicit Utf8Name(QAnyStringView name)
    {
        name.visit([this](auto view) { assign(view); });
        m_hash = hashOf(m_bytes);
    }

    QByteArrayView bytes() const noexcept { return m_bytes; }
    quint32 hash() const noexcept { return m_hash; }

    /*!
     * A fast, well-mixed hash for short names: 8 bytes per step, and the last 1 to 8 bytes read
     * with loads that may overlap bytes already hashed rather than copied byte by byte (a
     * variable-length copy to the stack costs a store-forwarding stall on every call).
     */
    static quint32 hashOf(QByteArrayView bytes) noexcept
    {
        const char *p = bytes.data();
        const size_t length = size_t(bytes.size());
        quint64 h = 0x9e3779b97f4a7c15ULL ^ (quint64(length) * 0xff51afd7ed558ccdULL);
        auto mix = [&h](quint64 word) {
            h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
            h ^= h >> 29;
        };
        if (length > 8) {
            size_t left = length;
            for (; left > 8; left -= 8, p += 8)
                mix(load<quint64>(p));
            mix(load<quint64>(p + left - 8)); // the last 8 bytes, overlapping the previous word
        } else if (length >= 4) {
            mix((quint64(load<quint32>(p)) << 32) | load<quint32>(p + length - 4));
        } else if (length > 0) {
            mix((quint64(uchar(p[0])) << 16) | (quint64(uchar(p[length / 2])) << 8)
                | uchar(p[length - 1]));
        }
        h ^= h >> 32;
        h *= 0xd6e8feb86659fd93ULL;
        h ^= h >> 32;
        return quint32(h);
    }

private:
    Q_DISABLE_COPY_MOVE(Utf8Name)

    void assign(QUtf8StringView view) noexcept
    {
        m_bytes = QByteArrayView(view.data(), view.size());
    }

    void assign(QLatin1StringView view)
    {
        if (isAscii(view.data(), view.size())) {
            m_bytes = QByteArrayView(view.data(), view.size());
        } else {
            m_converted = QString(view).toUtf8();
            m_bytes = m_converted;
        }
    }

    void assign(QStringView view)
    {
        m_narrowed.resize(view.size());
        for (qsizetype i = 0; i < view.size(); ++i) {
            const char16_t c = view[i].unicode();
            if (c >= 0x80) {
                m_converted = view.toUtf8();
                m_bytes = m_converted;
                return;
            }
            m_narrowed[i] = char(c);
        }
        m_bytes = QByteArrayView(m_narrowed.constData(), m_narrowed.size());
    }

    template<typename Word>
    static Word load(const char *at) noexcept
    {
        Word word;
        std::memcpy(&word, at, sizeof word); // a fixed-size copy compiles to one load
        return word;
    }

    static bool isAscii(const char *data, qsizetype size) noexcept
    {
        for (qsizetype i = 0; i < size; ++i) {
            if (uchar(data[i]) >= 0x80)
                return false;
        }
        return true;
    }

    QByteArrayView m_bytes;
    quint32 m_hash = 0;
    QVarLengthArray<char, 128> m_narrowed;
    QByteArray m_converted;
};

} // namespace Statvent::Detail

#endif
