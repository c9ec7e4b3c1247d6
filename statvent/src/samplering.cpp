// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "samplering.h"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <new>
#include <vector>

namespace Statvent::Detail {

namespace {

constexpr std::size_t roundUp(std::size_t bytes, std::size_t unit)
{
    return (bytes + unit - 1) / unit * unit;
}

//! How many live threads have each shard number.
std::array<std::atomic<quint32>, 8> threadsOfShardNumber{};

//! Gives the calling thread's shard number back when the thread ends.
struct ShardNumberHolder
{
    quint32 number = 0;
    bool held = false;

    ~ShardNumberHolder()
    {
        if (held)
            threadsOfShardNumber[number].fetch_sub(1, std::memory_order_relaxed);
    }
};

thread_local ShardNumberHolder shardNumberOfThisThread;

} // namespace

quint32 SampleRing::takeShardNumber() noexcept
{
    static_assert(std::tuple_size_v<decltype(threadsOfShardNumber)> == MaxShards);
    // Two threads choosing at once may pick the same number: they share a shard, which is
    // correct, only slower; the next threads see both counted.
    quint32 chosen = 0;
    for (quint32 number = 1; number < MaxShards; ++number) {
        if (threadsOfShardNumber[number].load(std::memory_order_relaxed)
            < threadsOfShardNumber[chosen].load(std::memory_order_relaxed))
            chosen = number;
    }
    threadsOfShardNumber[chosen].fetch_add(1, std::memory_order_relaxed);
    shardNumberOfThisThread.number = chosen;
    shardNumberOfThisThread.held = true;
    return chosen;
}

SampleRing::SampleRing(quint32 capacity)
    : m_capacity(capacity)
    , m_shardCapacity(std::bit_ceil(std::max(capacity, SlotsPerBlock)))
{
}

SampleRing::~SampleRing()
{
    for (std::atomic<Shard *> &entry : m_shards)
        destroyShard(entry.load(std::memory_order_relaxed));
}

SampleRing::Shard *SampleRing::makeShard(quint32 shardCapacity) noexcept
{
    const std::size_t slotBytes = std::size_t(shardCapacity) * sizeof(std::atomic<double>);
    const std::size_t tagBytes = shardCapacity / SlotsPerBlock * sizeof(std::atomic<quint64>);
    // Whole cache lines, so that no other heap block shares the last one.
    const std::size_t bytes = roundUp(sizeof(Shard) + slotBytes + tagBytes, CacheLineSize);
    auto *storage =
        static_cast<char *>(::operator new(bytes, std::align_val_t(CacheLineSize), std::nothrow));
    if (!storage)
        return nullptr;
    auto *samples = reinterpret_cast<std::atomic<double> *>(storage + sizeof(Shard));
    for (quint32 i = 0; i < shardCapacity; ++i)
        new (samples + i) std::atomic<double>(std::numeric_limits<double>::quiet_NaN());
    auto *tags = reinterpret_cast<std::atomic<quint64> *>(storage + sizeof(Shard) + slotBytes);
    for (quint32 i = 0; i < shardCapacity / SlotsPerBlock; ++i)
        new (tags + i) std::atomic<quint64>(0);
    return new (storage) Shard(samples, tags);
}

void SampleRing::destroyShard(Shard *shard) noexcept
{
    // The shard, its slots and its tags are trivially destructible atomics.
    ::operator delete(shard, std::align_val_t(CacheLineSize));
}

SampleRing::Shard *SampleRing::addShard(std::atomic<Shard *> &entry) noexcept
{
    Shard *made = makeShard(m_shardCapacity);
    if (!made)
        return nullptr;
    // Release: whoever finds the shard finds its slots NaN and its tags 0. Acquire on failure,
    // for the same reason with the shard another thread made.
    Shard *current = nullptr;
    if (entry.compare_exchange_strong(current, made, std::memory_order_release,
                                      std::memory_order_acquire))
        return made;
    destroyShard(made); // another thread with the same shard number was first
    return current;
}

int SampleRing::sampleCount() const noexcept
{
    quint64 held = 0;
    for (const std::atomic<Shard *> &entry : m_shards) {
        const Shard *shard = entry.load(std::memory_order_acquire);
        if (!shard)
            continue;
        const quint64 written = shard->written.load(std::memory_order_relaxed);
        const quint64 first = firstHeld(written);
        const quint64 gapHeld = shard->leadingGap > first ? shard->leadingGap - first : 0;
        held += written - first - gapHeld;
    }
    return int(std::min<quint64>(held, m_capacity));
}

void SampleRing::copySamples(QList<double> &out) const
{
    out.clear();
    const Shard *onlyShard = nullptr;
    quint64 onlyWritten = 0;
    int shardsInUse = 0;
    for (const std::atomic<Shard *> &entry : m_shards) {
        const Shard *shard = entry.load(std::memory_order_acquire);
        const quint64 written = shard ? shard->written.load(std::memory_order_relaxed) : 0;
        if (written > 0) {
            ++shardsInUse;
            onlyShard = shard;
            onlyWritten = written;
        }
    }
    if (shardsInUse == 1)
        copyLatestOfShard(out, *onlyShard, onlyWritten);
    else if (shardsInUse > 1)
        copyLatestBlocks(out);
}

void SampleRing::copyLatestOfShard(QList<double> &out, const Shard &shard, quint64 written) const
{
    const quint64 count = std::min<quint64>(written, m_capacity);
    out.resize(qsizetype(count));
    double *next = out.data();
    // Every slot is stored, and kept (the next one goes after it) only if it is not NaN, that
    // is if it has been written: no branch, and no capacity check per sample as append() makes.
    for (quint64 index = written - count; index < written; ++index) {
        const double value = shard.samples[positionOf(index)].load(std::memory_order_relaxed);
        *next = value;
        next += value == value;
    }
    out.resize(next - out.data());
}

void SampleRing::copyLatestBlocks(QList<double> &out) const
{
    // Every sample each shard holds, with the blocks they belong to; then the blocks, newest
    // first, give samples (the newest of each first) until `capacity` are taken.
    struct HeldBlock
    {
        quint64 order; // twice the block's tag: room for a cut block just below the next one
        qsizetype begin; // the block's samples are held[begin, end)
        qsizetype end;
    };
    std::vector<double> held;
    std::vector<HeldBlock> blocks;
    for (const std::atomic<Shard *> &entry : m_shards) {
        const Shard *shard = entry.load(std::memory_order_acquire);
        if (!shard)
            continue;
        const quint64 written = shard->written.load(std::memory_order_relaxed);
        const quint64 first = firstHeld(written);
        const qsizetype base = qsizetype(held.size());
        quint64 position = positionOf(first);
        for (quint64 index = first; index < written; ++index) {
            held.push_back(shard->samples[position].load(std::memory_order_acquire));
            if (++position == m_shardCapacity)
                position = 0;
        }
        // The tags after the slots they order, each slot's load an acquire: a tag read here is
        // the one its block's samples were stored under, or a newer one (see record()).
        auto tagOf = [&](quint64 blockStart) {
            return shard->tags[positionOf(blockStart) / SlotsPerBlock].load(
                std::memory_order_relaxed);
        };
        for (quint64 start = first - first % SlotsPerBlock; start < written;
             start += SlotsPerBlock) {
            quint64 order = 2 * tagOf(start);
            if (start < first) {
                // A lap ago, cut: the shard's newest block took over its first slots and its tag.
                // It is older than the next block of this shard, and ordered just below it.
                const quint64 nextTag = tagOf(start + SlotsPerBlock);
                order = nextTag > 0 ? 2 * nextTag - 1 : 0;
            }
            blocks.push_back({order, base + qsizetype(std::max(start, first) - first),
                              base + qsizetype(std::min(start + SlotsPerBlock, written) - first)});
        }
    }
    std::sort(blocks.begin(), blocks.end(),
              [](const HeldBlock &a, const HeldBlock &b) { return a.order > b.order; });

    const qsizetype wanted = qsizetype(m_capacity);
    out.reserve(wanted);
    for (const HeldBlock &block : blocks) {
        for (qsizetype i = block.end; i > block.begin && out.size() < wanted;) {
            const double value = held[std::size_t(--i)];
            if (value == value) // not NaN: the slot has been written
                out.append(value);
        }
    }
    std::reverse(out.begin(), out.end());
}

void SampleRing::fill(const QList<double> &samples) noexcept
{
    if (samples.isEmpty())
        return; // no shard for a window that may never be recorded into
    // Into the calling thread's shard, ending at the end of a block: the thread's next record()
    // starts a block of its own, tagged after whatever other threads record meanwhile, instead
    // of finishing one tagged as old as the samples the ring started with.
    Shard *shard = shardOfThisThread();
    if (!shard)
        return;
    const qsizetype skip = std::max<qsizetype>(0, samples.size() - qsizetype(m_capacity));
    const auto count = quint32(samples.size() - skip);
    // count <= m_capacity: the gap and the samples fit in m_shardCapacity, the first lap.
    shard->leadingGap = quint32(roundUp(count, SlotsPerBlock)) - count;
    for (quint32 block = 0; block * SlotsPerBlock < shard->leadingGap + count; ++block) {
        const quint64 tag = m_blocksStarted.fetch_add(1, std::memory_order_relaxed) + 1;
        shard->tags[block].store(tag, std::memory_order_relaxed);
    }
    for (quint32 i = 0; i < count; ++i)
        shard->samples[shard->leadingGap + i].store(samples[skip + i], std::memory_order_relaxed);
    shard->written.store(shard->leadingGap + count, std::memory_order_relaxed);
}

} // namespace Statvent::Detail
