// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_SAMPLERING_H
#define STATVENT_SAMPLERING_H

#include <QList>

#include <algorithm>
#include <array>
#include <atomic>

namespace Statvent::Detail {

//! The unit in which cores pass memory to each other (x86-64 and most ARM64 cores).
inline constexpr std::size_t CacheLineSize = 64;

/*!
 * A window's most recent samples, recorded from any number of threads without a cache line
 * travelling between cores on every record().
 *
 * **Shards.** The ring is split into up to MaxShards shards, one per recording thread: a thread
 * takes a shard number when it first records into any ring, the number the fewest live threads
 * have, and gives it back when it ends; it records into that shard of every ring. Each shard is a
 * ring of its own: a write count and `shardCapacity` slots, capacity rounded up to a power of two
 * (at least a block of SlotsPerBlock slots, one cache line), so that a slot's position is a mask of
 * its index: a remainder by any capacity took three multiplications on the record() path. A
 * record() takes a slot with a fetch_add on its shard's count and stores into it: both lines stay
 * with the thread, on its core, so that threads on different cores do not wait for each other's
 * lines (up to MaxShards threads; beyond, threads sharing a shard share its lines, and the count
 * being atomic keeps their samples apart). A shard is made on its first record() or fill() and
 * lives until the ring does. Memory: one shard for a window recorded from one thread, min(k,
 * MaxShards) for one recorded from k threads, each of 64 + 9 * shardCapacity bytes (its count's
 * line, 8 bytes per slot and 8 per block for its tag).
 *
 * Shards follow threads, not CPUs, so that a window recorded from one thread keeps exactly its
 * latest samples wherever the scheduler moves that thread: with a shard per CPU, a thread
 * moved away in the middle of a block and back later would finish that block after newer ones.
 *
 * **Which samples are the latest.** Whoever takes the first slot of a block stamps the block
 * with a tag from a ring-wide sequence, so blocks, in whichever shard, are ordered by when they
 * were started; the sequence is shared by every core but taken once per block, not per sample.
 * With one shard in use, copySamples() returns exactly the latest `capacity` samples. With
 * several, it takes whole blocks, newest tag first, until it has `capacity` samples (the oldest
 * of those blocks only in part): the latest samples in the order their blocks were started, so
 * a sample may be up to a block of its thread's samples out of place, and a shard no longer
 * recorded into keeps its old tags and drops out once `capacity` newer samples exist. A
 * window is the recent samples its percentiles are computed from, not a log of the order in
 * which several threads' samples happened: that approximation at its oldest edge is worth a
 * record() that does not wait for another core.
 *
 * Unwritten slots hold NaN (which record() never stores) so a reader can skip a slot claimed
 * but not yet written. A writer delayed between claiming a slot and storing into it, while its
 * shard goes a whole lap, puts its older sample over a newer one: the ring then holds one
 * sample older than the latest.
 */
class alignas(CacheLineSize) SampleRing
{
public:
    explicit SampleRing(quint32 capacity);
    ~SampleRing();
    SampleRing(const SampleRing &) = delete;
    SampleRing &operator=(const SampleRing &) = delete;

    quint32 capacity() const noexcept { return m_capacity; }

    void record(double value) noexcept
    {
        Shard *shard = shardOfThisThread();
        if (Q_UNLIKELY(!shard))
            return; // without memory for a shard: the sample is lost, not the process
        const quint64 index = shard->written.fetch_add(1, std::memory_order_relaxed);
        const quint64 position = positionOf(index);
        if (index % SlotsPerBlock == 0) {
            const quint64 tag = m_blocksStarted.fetch_add(1, std::memory_order_relaxed) + 1;
            shard->tags[position / SlotsPerBlock].store(tag, std::memory_order_relaxed);
        }
        // Release: a reader that sees this sample sees the tag of its block (stored before it
        // by whoever started the block, this thread unless it shares its shard), or a newer
        // one; never the tag of the block this slot held a lap ago (see copySamples()).
        shard->samples[position].store(value, std::memory_order_release);
    }

    //! How many samples the ring holds now: at most capacity().
    int sampleCount() const noexcept;

    //! Replaces \a out with the latest samples held now, oldest first (see the class comment).
    void copySamples(QList<double> &out) const;

    //! Starts this (new, empty) ring with the latest samples of \a samples, oldest first.
    void fill(const QList<double> &samples) noexcept;

private:
    //! As many as the threads that usually record into one window at once.
    static constexpr quint32 MaxShards = 8;
    static constexpr quint32 NoShardYet = MaxShards;
    //! The slots of one cache line: what a block is, so that each line has one writing core.
    static constexpr quint32 SlotsPerBlock = CacheLineSize / sizeof(std::atomic<double>);

    /*!
     * One thread's part of the ring, in one allocation: this header on a cache line of its own
     * (written only by the threads of the shard), then the slots, then one tag per block.
     */
    struct alignas(CacheLineSize) Shard
    {
        Shard(std::atomic<double> *samplesAfter, std::atomic<quint64> *tagsAfter) noexcept
            : samples(samplesAfter)
            , tags(tagsAfter)
        {
        }

        std::atomic<quint64> written{0};
        std::atomic<double> *const samples;
        std::atomic<quint64> *const tags; // the tag of the block starting at slot n is tags[n / 8]
        //! The slots fill() leaves NaN before its samples, so that its last block is full.
        quint32 leadingGap = 0;
    };

    //! A shard with every slot NaN and every tag 0 (no block started), or null without memory.
    static Shard *makeShard(quint32 shardCapacity) noexcept;
    static void destroyShard(Shard *shard) noexcept;

    /*!
     * The calling thread's shard number in every ring, or NoShardYet. Initial-exec: read with
     * one load relative to the thread pointer, not through __tls_get_addr() as a shared
     * library's thread-local variable would be (a dlopen()ed library takes its 4 bytes from
     * the static TLS glibc keeps in reserve for that).
     */
    static inline thread_local quint32 t_threadShard __attribute__((tls_model("initial-exec"))) =
        NoShardYet;

    //! The calling thread's shard number, chosen at its first record() or fill().
    static quint32 threadShard() noexcept
    {
        if (Q_UNLIKELY(t_threadShard == NoShardYet))
            t_threadShard = takeShardNumber();
        return t_threadShard;
    }
    /*!
     * The number that the fewest live threads have, given back when the thread ends: up to
     * MaxShards threads alive at once never share a shard, however many came and went before
     * (numbering threads in turn made a long-lived thread share with every MaxShards-th new one).
     */
    Q_DECL_COLD_FUNCTION static quint32 takeShardNumber() noexcept;

    //! The calling thread's shard, or null when there is no memory for it.
    Shard *shardOfThisThread() noexcept
    {
        std::atomic<Shard *> &entry = m_shards[threadShard()];
        Shard *shard = entry.load(std::memory_order_acquire);
        return Q_LIKELY(shard) ? shard : addShard(entry);
    }
    Q_DECL_COLD_FUNCTION Shard *addShard(std::atomic<Shard *> &entry) noexcept;

    //! copySamples() with one shard in use: its latest `capacity` samples below \a written.
    void copyLatestOfShard(QList<double> &out, const Shard &shard, quint64 written) const;
    //! copySamples() with several shards in use: whole blocks, newest first.
    void copyLatestBlocks(QList<double> &out) const;

    //! The index of the oldest slot a shard that has taken \a written slots still holds.
    quint64 firstHeld(quint64 written) const noexcept
    {
        return written - std::min<quint64>(written, m_shardCapacity);
    }

    //! index % shardCapacity: a mask, since shard capacities are powers of two.
    quint64 positionOf(quint64 index) const noexcept { return index & (m_shardCapacity - 1); }

    // Read by every record(), written only by the constructor and, once per shard, addShard().
    const quint32 m_capacity;
    const quint32 m_shardCapacity;
    std::array<std::atomic<Shard *>, MaxShards> m_shards{};
    //! The tag of the latest block started: taken by every core, once per block.
    alignas(CacheLineSize) std::atomic<quint64> m_blocksStarted{0};
    // alignas() on the class pads the sequence's line to its end.
};

} // namespace Statvent::Detail

#endif
