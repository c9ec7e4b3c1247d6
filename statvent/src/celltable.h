// SPDX-License-Identifier: MIT
#ifndef STATVENT_CELLTABLE_H
#define STATVENT_CELLTABLE_H

#include <QByteArrayView>

#include <atomic>
#include <bit>
#include <memory>
#include <new>
#include <vector>

namespace Statvent::Detail {

/*!
 * The cells of a registry: an append-only arena that keeps insertion order and never moves a
 * cell, plus an open-addressing hash index over it.
 *
 * Readers (find(), size(), at()) take no lock. Writers (insert()) must hold the registry's
 * mutex. When the index grows, a new one is built and published with one atomic store; old
 * indexes stay allocated until the table is destroyed, because a reader may still be probing
 * one (together they take less memory than the current index).
 */
template<typename Cell>
class CellTable
{
public:
    CellTable()
    {
        m_indexes.push_back(std::make_unique<Index>(InitialIndexSize));
        m_index.store(m_indexes.back().get(), std::memory_order_relaxed);
    }

    ~CellTable()
    {
        const qsizetype count = size();
        for (qsizetype i = 0; i < count; ++i)
            at(i).~Cell();
        for (int segment = 0; segment < MaxSegments; ++segment) {
            if (Cell *cells = m_segments[segment].load(std::memory_order_relaxed))
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
        const Location location = locate(i);
        return m_segments[location.segment].load(std::memory_order_acquire)[location.offset];
    }

private:
    static constexpr quint64 InitialIndexSize = 64;
    static constexpr int FirstSegmentBits = 6; // the first segment holds 64 cells, each next one twice as many
    static constexpr int MaxSegments = 40;

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

    struct Location
    {
        int segment;
        quint64 offset;
    };
    static Location locate(qsizetype i) noexcept
    {
        // Segment k holds cells [64 * (2^k - 1), 64 * (2^(k+1) - 1)).
        const int segment = std::bit_width((quint64(i) >> FirstSegmentBits) + 1) - 1;
        const quint64 first = ((quint64(1) << segment) - 1) << FirstSegmentBits;
        return {segment, quint64(i) - first};
    }

    void *slotFor(qsizetype i)
    {
        const Location location = locate(i);
        Cell *cells = m_segments[location.segment].load(std::memory_order_relaxed);
        if (!cells) {
            const size_t capacity = size_t(1) << (location.segment + FirstSegmentBits);
            cells = static_cast<Cell *>(::operator new(capacity * sizeof(Cell), std::align_val_t(alignof(Cell))));
            m_segments[location.segment].store(cells, std::memory_order_release);
        }
        return cells + location.offset;
    }

    std::atomic<Index *> m_index{nullptr};
    std::vector<std::unique_ptr<Index>> m_indexes;
    std::atomic<Cell *> m_segments[MaxSegments] = {};
    std::atomic<qsizetype> m_count{0};
};

} // namespace Statvent::Detail

#endif
