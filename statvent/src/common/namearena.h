// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_NAMEARENA_H
#define STATVENT_NAMEARENA_H

#include <QByteArray>
#include <QByteArrayView>

#include <algorithm>
#include <cstring>
#include <utility>

namespace Statvent::Detail {

/*!
 * Copies of names, packed into shared blocks: each copy is a QByteArray whose bytes lie in a
 * block of about 16 KiB that the copies of one text share, with the block's one reference
 * count (as the registry's CellTable keeps its names).
 *
 * A reader that keeps a text's names from one read to the next (UniqueNames) copies each name
 * once and then takes a reference per row at every read, and releases one when that read is
 * freed. With a heap block per name, each of those touched a cache line of its own, the name's;
 * here they go to the few lines of the blocks' counts, and the names that a reader compares
 * with the next text lie next to each other in the order it reads them.
 *
 * A block is freed with its last name. A name's bytes are NUL-terminated, as QByteArray's are.
 */
class NameArena
{
public:
    NameArena() = default;
    NameArena(const NameArena &) = delete;
    NameArena &operator=(const NameArena &) = delete;
    ~NameArena() { release(); }

    QByteArray copy(QByteArrayView name)
    {
        const qsizetype needed = name.size() + 1;
        if (m_left < needed)
            startBlock(std::max(needed, BlockBytes));
        char *bytes = m_next;
        if (!name.isEmpty()) // an empty view's data may be null, which memcpy() must not get
            std::memcpy(bytes, name.data(), size_t(name.size()));
        bytes[name.size()] = '\0';
        m_next += needed;
        m_left -= needed;
        m_header->ref();
        return QByteArray(QByteArray::DataPointer(m_header, bytes, name.size()));
    }

private:
    // A block and its header in one heap block of 16 KiB: a few hundred names.
    static constexpr qsizetype BlockBytes = 16 * 1024 - 64;

    void startBlock(qsizetype bytes)
    {
        release();
        auto [header, data] = QTypedArrayData<char>::allocate(bytes);
        Q_CHECK_PTR(header);
        m_header = header;
        m_next = data;
        m_left = bytes;
    }

    // The arena's own reference to its current block, held while it may still copy into it.
    void release()
    {
        if (m_header && !m_header->deref())
            QTypedArrayData<char>::deallocate(m_header);
        m_header = nullptr;
        m_left = 0;
    }

    QTypedArrayData<char> *m_header = nullptr;
    char *m_next = nullptr;
    qsizetype m_left = 0;
};

} // namespace Statvent::Detail

#endif
