// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_CELLTABLE_H
#define STATVENT_CELLTABLE_H

#include "utf8name.h"

#include <QArrayData>
#include <QByteArray>
#include <QByteArrayView>

#include <atomic>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace Statvent::Detail {

/*!
 * The cells of a registry: an append-only arena that keeps creation order and never moves a
 * cell, plus an open-addressing hash index over it.
 *
 * Each cell is followed in the arena by its name's bytes and a '\0', so a statistic costs its
 * cell, its name and 4 to 8 bytes of index, with no allocation of its own. The arena's chunks
 * are QByteArray blocks: a snapshot's names are QByteArrays that share the chunk (a reference
 * count, no copy), and a chunk lives as long as the registry or the last name taken from it.
 * A cell type has a `quint16 nameLength` member and reads its name right after itself (see
 * cellName()).
 *
 * The index holds 32-bit positions in the arena (in 8-byte units), not pointers, and no hashes:
 * a probe compares the name's length, then its bytes. When half full, a new index twice as large
 * is built and published with one atomic store, as is a grown chunk directory; old ones stay
 * allocated until the table is destroyed, because a reader may still be using one (together they
 * take less memory than the current one).
 *
 * Readers (find(), size(), Cursor) take no lock. Writers (insert()) must hold the registry's mutex.
 */
template<typename Cell>
class CellTable
{
    struct Chunk;
    struct Directory;

public:
    CellTable()
    {
        m_indexes.push_back(std::make_unique<Index>(InitialIndexSize));
        m_index.store(m_indexes.back().get(), std::memory_order_relaxed);
        m_directories.push_back(std::make_unique<Directory>(InitialDirectorySize));
        m_directory.store(m_directories.back().get(), std::memory_order_relaxed);
    }

    ~CellTable()
    {
        for (Cursor cursor(*this); !cursor.atEnd();)
            cursor.next().~Cell();
        for (Chunk *chunk : m_chunks) {
            if (!chunk->header->deref()) // else a snapshot's names still use it
                QTypedArrayData<char>::deallocate(chunk->header);
            delete chunk;
        }
    }

    Cell *find(QByteArrayView name, quint32 hash) const noexcept
    {
        const Index *index = m_index.load(std::memory_order_acquire);
        for (quint32 slot = hash & index->mask;; slot = (slot + 1) & index->mask) {
            const quint32 position = index->entries[slot].load(std::memory_order_acquire);
            if (!position)
                return nullptr;
            Cell *cell = cellAt(position);
            if (cell->nameLength == name.size()
                && std::memcmp(cellName(cell), name.data(), size_t(name.size())) == 0)
                return cell;
        }
    }

    /*!
     * Appends a cell named \a name, built from \a args. The caller holds the writers' mutex and
     * knows the name is new and at most 65535 bytes long.
     */
    template<typename... Args>
    Cell *insert(QByteArrayView name, quint32 hash, Args &&...args)
    {
        const quint32 bytes = recordSize(name.size());
        Chunk *chunk = m_chunks.empty() ? nullptr : m_chunks.back();
        if (!chunk || chunk->used.load(std::memory_order_relaxed) + bytes > ChunkBytes)
            chunk = addChunk();
        const quint32 offset = chunk->used.load(std::memory_order_relaxed);
        char *at = chunk->bytes + offset;
        Cell *cell = new (at) Cell(quint16(name.size()), std::forward<Args>(args)...);
        std::memcpy(at + sizeof(Cell), name.data(), size_t(name.size()));
        at[sizeof(Cell) + size_t(name.size())] = '\0';
        chunk->used.store(offset + bytes, std::memory_order_release);

        const qsizetype count = m_count.load(std::memory_order_relaxed);
        Index *index = m_index.load(std::memory_order_relaxed);
        if (quint64(count + 1) * 2 > quint64(index->mask) + 1)
            index = grownIndex(index);
        index->place(quint32((quint64(m_chunks.size() - 1) * ChunkStride + offset) / Alignment) + 1,
                     hash);
        m_count.store(count + 1, std::memory_order_release);
        return cell;
    }

    qsizetype size() const noexcept { return m_count.load(std::memory_order_acquire); }

    /*!
     * Walks the cells in creation order, without a lock: the first size() cells at the moment
     * it is made, or fewer if told where to stop.
     */
    class Cursor
    {
    public:
        explicit Cursor(const CellTable &table) noexcept
            : m_left(table.size())
            , m_directory(table.m_directory.load(std::memory_order_acquire))
        {
        }

        bool atEnd() const noexcept { return m_left == 0; }
        qsizetype done() const noexcept { return m_done; }

        Cell &next() noexcept
        {
            const Chunk *chunk = m_directory->chunks[m_chunk].load(std::memory_order_acquire);
            if (m_offset == chunk->used.load(std::memory_order_acquire)) {
                chunk = m_directory->chunks[++m_chunk].load(std::memory_order_acquire);
                m_offset = 0;
            }
            m_current = chunk;
            m_position = quint32((quint64(m_chunk) * ChunkStride + m_offset) / Alignment) + 1;
            Cell *cell = reinterpret_cast<Cell *>(chunk->bytes + m_offset);
            m_offset += recordSize(cell->nameLength);
            --m_left;
            ++m_done;
            return *cell;
        }

        //! Where the cell next() returned last is, as the index stores it.
        quint32 position() const noexcept { return m_position; }

        //! The name of the cell next() returned last, sharing the arena's memory.
        QByteArray name(const Cell &cell) const noexcept
        {
            m_current->header->ref();
            return QByteArray(QByteArray::DataPointer(
                m_current->header, const_cast<char *>(cellName(&cell)), cell.nameLength));
        }

    private:
        qsizetype m_left;
        qsizetype m_done = 0;
        const Directory *m_directory;
        const Chunk *m_current = nullptr;
        qsizetype m_chunk = 0;
        quint32 m_offset = 0;
        quint32 m_position = 0;
    };

private:
    Q_DISABLE_COPY_MOVE(CellTable)

    static constexpr quint64 InitialIndexSize = 64;
    static constexpr quint32 Alignment = 8;
    static constexpr quint64 ChunkStride = quint64(1) << 16; // positions per chunk, in bytes
    // Leaves room for the block's header so that a chunk is one 64 KiB heap block.
    static constexpr quint32 ChunkBytes = quint32(ChunkStride) - 64;
    static constexpr qsizetype InitialDirectorySize = 8; // chunk pointers

    static_assert(alignof(Cell) <= Alignment && sizeof(Cell) % Alignment == 0);

    static quint32 recordSize(qsizetype nameLength) noexcept
    {
        return (quint32(sizeof(Cell)) + quint32(nameLength) + 1 + Alignment - 1) & ~(Alignment - 1);
    }

    static const char *cellName(const Cell *cell) noexcept
    {
        return reinterpret_cast<const char *>(cell) + sizeof(Cell);
    }

    struct Chunk
    {
        QTypedArrayData<char> *header;
        char *bytes;
        std::atomic<quint32> used{0};
    };

    struct Directory
    {
        explicit Directory(qsizetype chunkCount)
            : size(chunkCount)
            , chunks(new std::atomic<Chunk *>[size_t(chunkCount)])
        {
            for (qsizetype i = 0; i < chunkCount; ++i)
                chunks[i].store(nullptr, std::memory_order_relaxed);
        }
        const qsizetype size;
        std::unique_ptr<std::atomic<Chunk *>[]> chunks;
    };

    struct Index
    {
        explicit Index(quint64 size)
            : mask(quint32(size - 1))
            , entries(new std::atomic<quint32>[size])
        {
            for (quint64 i = 0; i < size; ++i)
                entries[i].store(0, std::memory_order_relaxed);
        }
        void place(quint32 position, quint32 hash) noexcept
        {
            quint32 slot = hash & mask;
            while (entries[slot].load(std::memory_order_relaxed))
                slot = (slot + 1) & mask;
            entries[slot].store(position, std::memory_order_release);
        }
        const quint32 mask;
        std::unique_ptr<std::atomic<quint32>[]> entries;
    };

    Cell *cellAt(quint32 position) const noexcept
    {
        const quint64 byte = quint64(position - 1) * Alignment;
        // Loaded after the index entry: a directory that holds the entry's chunk.
        const Directory *directory = m_directory.load(std::memory_order_acquire);
        const Chunk *chunk = directory->chunks[byte / ChunkStride].load(std::memory_order_acquire);
        return reinterpret_cast<Cell *>(chunk->bytes + byte % ChunkStride);
    }

    Index *grownIndex(const Index *index)
    {
        auto grown = std::make_unique<Index>((quint64(index->mask) + 1) * 2);
        for (Cursor cursor(*this); !cursor.atEnd();) {
            const Cell &cell = cursor.next();
            const char *name = cellName(&cell);
            grown->place(cursor.position(),
                         Utf8Name::hashOf(QByteArrayView(name, cell.nameLength)));
        }
        Index *published = grown.get();
        m_index.store(published, std::memory_order_release);
        m_indexes.push_back(std::move(grown));
        return published;
    }

    Chunk *addChunk()
    {
        auto [header, bytes] = QTypedArrayData<char>::allocate(ChunkBytes);
        Q_CHECK_PTR(header);
        auto *chunk = new Chunk{header, bytes};
        const qsizetype number = qsizetype(m_chunks.size());
        Directory *directory = m_directory.load(std::memory_order_relaxed);
        if (number >= directory->size) {
            auto grown = std::make_unique<Directory>(directory->size * 2);
            for (qsizetype c = 0; c < directory->size; ++c)
                grown->chunks[c].store(directory->chunks[c].load(std::memory_order_relaxed),
                                       std::memory_order_relaxed);
            directory = grown.get();
            m_directory.store(directory, std::memory_order_release);
            m_directories.push_back(std::move(grown));
        }
        directory->chunks[number].store(chunk, std::memory_order_release);
        m_chunks.push_back(chunk);
        return chunk;
    }

    std::atomic<Index *> m_index{nullptr};
    std::vector<std::unique_ptr<Index>> m_indexes;
    std::atomic<Directory *> m_directory{nullptr};
    std::vector<std::unique_ptr<Directory>> m_directories;
    std::vector<Chunk *> m_chunks; // writers only
    std::atomic<qsizetype> m_count{0};
};

} // namespace Statvent::Detail

#endif
