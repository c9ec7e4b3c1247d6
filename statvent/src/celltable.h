// SPDX-License-Identifier: MIT
#ifndef STATVENT_CELLTABLE_H
#define STATVENT_CELLTABLE_H

#include <QByteArrayView>

#include <atomic>
#include <memory>
#include <new>
#include <vector>

namespace Statvent::Detail {

/*!
 * The cells of a registry: an append-only arena that keeps insertion order and never moves a
 * cell, plus an open-addressing hash index over it.
 *
 * The arena is a directory of fixed-size chunks, so at most one partly used chunk is ever
 * wasted (doubling segments would waste up to half of the last one).
 *
 * Readers (find(), size(), at()) take no lock. Writers (insert()) must hold the registry's
 * mutex. When the index or the chunk directory grows, a new one is built and published with
 * one atomic store; old ones stay allocated until the table is destroyed, because a reader may
 * still be using one (together they take less memory than the current one).
 */
template<typename Cell>
class CellTable
{
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
        const qsizetype count = size();
        for (qsizetype i = 0; i < count; ++i)
            at(i).~Cell();
        const Directory *directory = m_directory.load(std::memory_order_relaxed);
        for (qsizetype chunk = 0; chunk < directory->size; ++chunk) {
            if (Cell *cells = directory->chunks[chunk].load(std::memory_order_relaxed))
                ::operator delete(cells, std::align_val_t(alignof(Cell)));
        }
    }

    CellTable(const CellTable &) = delete;
    CellTable &operator=(const CellTable &) = delete;

    Cell *find(QByteArrayView name, quint32 hash) const noexcept
    {
        const Index *index = m_index.load(std::memory_order_acquire);
        for (quint32 slot = hash & index->mask;; slot = (slot + 1) & index->mask) {
            Cell *cell = index->entries[slot].load(std::memory_order_acquire);
            if (!cell)
                return nullptr;
            if (cell->hash == hash && QByteArrayView(cell->name) == name)
                return cell;
        }
    }

    //! Appends a cell built from \a args. The caller holds the writers' mutex and knows the name is new.
    template<typename... Args>
    Cell *insert(Args &&...args)
    {
        const qsizetype count = m_count.load(std::memory_order_relaxed);
        Cell *cell = new (slotFor(count)) Cell(std::forward<Args>(args)...);

        const Index *index = m_index.load(std::memory_order_relaxed);
        if (quint64(count + 1) * 2 > quint64(index->mask) + 1) {
            auto grown = std::make_unique<Index>((quint64(index->mask) + 1) * 2);
            for (qsizetype i = 0; i < count; ++i)
                grown->place(&at(i));
            grown->place(cell);
            m_index.store(grown.get(), std::memory_order_release);
            m_indexes.push_back(std::move(grown));
        } else {
            m_index.load(std::memory_order_relaxed)->place(cell);
        }
        m_count.store(count + 1, std::memory_order_release);
        return cell;
    }

    qsizetype size() const noexcept { return m_count.load(std::memory_order_acquire); }

    //! The cell inserted \a i-th; \a i < size().
    Cell &at(qsizetype i) const noexcept
    {
        const Directory *directory = m_directory.load(std::memory_order_acquire);
        return directory->chunks[i >> ChunkBits].load(std::memory_order_acquire)[i & (ChunkSize - 1)];
    }

private:
    static constexpr quint64 InitialIndexSize = 64;
    static constexpr int ChunkBits = 7;
    static constexpr qsizetype ChunkSize = qsizetype(1) << ChunkBits; // cells per chunk
    static constexpr qsizetype InitialDirectorySize = 8; // chunk pointers

    struct Directory
    {
        explicit Directory(qsizetype chunkCount)
            : size(chunkCount)
            , chunks(new std::atomic<Cell *>[size_t(chunkCount)])
        {
            for (qsizetype i = 0; i < chunkCount; ++i)
                chunks[i].store(nullptr, std::memory_order_relaxed);
        }
        const qsizetype size;
        std::unique_ptr<std::atomic<Cell *>[]> chunks;
    };

    struct Index
    {
        explicit Index(quint64 size)
            : mask(quint32(size - 1))
            , entries(new std::atomic<Cell *>[size])
        {
            for (quint64 i = 0; i < size; ++i)
                entries[i].store(nullptr, std::memory_order_relaxed);
        }
        void place(Cell *cell) noexcept
        {
            quint32 slot = cell->hash & mask;
            while (entries[slot].load(std::memory_order_relaxed))
                slot = (slot + 1) & mask;
            entries[slot].store(cell, std::memory_order_release);
        }
        const quint32 mask;
        std::unique_ptr<std::atomic<Cell *>[]> entries;
    };

    void *slotFor(qsizetype i)
    {
        const qsizetype chunk = i >> ChunkBits;
        Directory *directory = m_directory.load(std::memory_order_relaxed);
        if (chunk >= directory->size) {
            auto grown = std::make_unique<Directory>(directory->size * 2);
            for (qsizetype c = 0; c < directory->size; ++c)
                grown->chunks[c].store(directory->chunks[c].load(std::memory_order_relaxed), std::memory_order_relaxed);
            directory = grown.get();
            m_directory.store(directory, std::memory_order_release);
            m_directories.push_back(std::move(grown));
        }
        Cell *cells = directory->chunks[chunk].load(std::memory_order_relaxed);
        if (!cells) {
            cells = static_cast<Cell *>(::operator new(size_t(ChunkSize) * sizeof(Cell), std::align_val_t(alignof(Cell))));
            directory->chunks[chunk].store(cells, std::memory_order_release);
        }
        return cells + (i & (ChunkSize - 1));
    }

    std::atomic<Index *> m_index{nullptr};
    std::vector<std::unique_ptr<Index>> m_indexes;
    std::atomic<Directory *> m_directory{nullptr};
    std::vector<std::unique_ptr<Directory>> m_directories;
    std::atomic<qsizetype> m_count{0};
};

} // namespace Statvent::Detail

#endif
