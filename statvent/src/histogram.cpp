// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/histogram.h"

#include "windowrows.h"

#include <QtNumeric>

#include <QVarLengthArray>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>

namespace Statvent {

namespace {

static_assert(Histogram::BucketsPerOctave == 16, "the bound table below is for scale 4");

// 2^(r/16) for r in [0, 16], each the double nearest to the exact value (computed with 60
// digits), so that every host has the same boundaries, whatever its libm's exp2() does.
constexpr double OctaveBounds[Histogram::BucketsPerOctave + 1] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0,
    0x1.0000000000000p+1,
};

// The buckets are wider than 1/256 of an octave (the narrowest, the first, is 0.044 of it), so
// the top 8 bits of a mantissa leave at most one bound to compare with: for each of those 256
// slices of [1, 2), the first step whose bound is at or above the slice's start.
constexpr int SliceBits = 8;
constexpr std::array<quint8, 1 << SliceBits> FirstStepOfSlice = [] {
    std::array<quint8, 1 << SliceBits> steps{};
    for (int slice = 0; slice < (1 << SliceBits); ++slice) {
        const double start = 1.0 + double(slice) / double(1 << SliceBits);
        quint8 step = 0;
        while (OctaveBounds[step] < start)
            ++step;
        steps[slice] = step;
    }
    return steps;
}();

constexpr int MantissaBits = std::numeric_limits<double>::digits - 1;
constexpr quint64 MantissaMask = (quint64(1) << MantissaBits) - 1;
constexpr int ExponentBias = std::numeric_limits<double>::max_exponent - 1;
constexpr quint64 BitsOfOne = std::bit_cast<quint64>(1.0);

constexpr qint64 MaxCount = std::numeric_limits<qint64>::max();
constexpr double MaxDouble = std::numeric_limits<double>::max();

qint64 addCounts(qint64 a, qint64 b) noexcept
{
    qint64 sum;
    return qAddOverflow(a, b, &sum) ? MaxCount : sum;
}

// Finite in, finite out: a sum that leaves the doubles stays at the largest one of its sign.
double addSums(double a, double b) noexcept
{
    const double sum = a + b;
    return std::isinf(sum) ? std::copysign(MaxDouble, sum) : sum;
}

// The value that stands for a bucket's samples: the one whose largest relative distance to the
// bucket's values is smallest, 2 lo hi / (lo + hi), written so that lo * hi cannot overflow.
double representative(int index) noexcept
{
    if (index <= Histogram::UnderflowIndex)
        return Histogram::upperBound(index);
    if (index >= Histogram::OverflowIndex)
        return Histogram::lowerBound(index);
    const double lo = Histogram::lowerBound(index);
    const double hi = Histogram::upperBound(index);
    return lo * (2.0 * hi / (lo + hi));
}

void addToBuckets(QList<Histogram::Bucket> &buckets, int index)
{
    if (buckets.isEmpty() || buckets.constLast().index < index) {
        buckets.append({index, 1});
        return;
    }
    const auto at = std::lower_bound(buckets.begin(), buckets.end(), index,
                                     [](const Histogram::Bucket &b, int i) { return b.index < i; });
    if (at->index == index)
        at->count = addCounts(at->count, 1);
    else
        buckets.insert(at, {index, 1});
}

QList<Histogram::Bucket> mergeBuckets(const QList<Histogram::Bucket> &a,
                                      const QList<Histogram::Bucket> &b)
{
    if (b.isEmpty())
        return a;
    if (a.isEmpty())
        return b;
    QList<Histogram::Bucket> out;
    out.reserve(a.size() + b.size());
    auto x = a.cbegin();
    auto y = b.cbegin();
    while (x != a.cend() && y != b.cend()) {
        if (x->index < y->index) {
            out.append(*x++);
        } else if (y->index < x->index) {
            out.append(*y++);
        } else {
            out.append({x->index, addCounts(x->count, y->count)});
            ++x;
            ++y;
        }
    }
    std::copy(x, a.cend(), std::back_inserter(out));
    std::copy(y, b.cend(), std::back_inserter(out));
    return out;
}

// The non-empty buckets among \a counts, the count of bucket `lowest + i` at i.
QList<Histogram::Bucket> bucketsOfCounts(const qint64 *counts, qsizetype size, int lowest)
{
    const qsizetype used = size - std::count(counts, counts + size, 0);
    // Stores into a sized list: QList::append() checks its capacity at every bucket.
    QList<Histogram::Bucket> out(used);
    Histogram::Bucket *bucket = out.data();
    for (qsizetype i = 0; i < size; ++i) {
        if (counts[i] > 0)
            *bucket++ = {lowest + int(i), counts[i]};
    }
    return out;
}

bool validBuckets(const QList<Histogram::Bucket> &buckets) noexcept
{
    int previous = Histogram::UnderflowIndex - 1;
    for (const Histogram::Bucket &bucket : buckets) {
        if (bucket.index <= previous || bucket.index > Histogram::OverflowIndex
            || bucket.count <= 0)
            return false;
        previous = bucket.index;
    }
    return true;
}

qint64 totalOf(const QList<Histogram::Bucket> &buckets) noexcept
{
    qint64 total = 0;
    for (const Histogram::Bucket &bucket : buckets)
        total = addCounts(total, bucket.count);
    return total;
}

// The bucket of a magnitude within [2^LowestExponent, 2^HighestExponent], without a branch.
inline int indexOfMagnitudeInRange(double magnitude) noexcept
{
    // magnitude = fraction * 2^octave with fraction in [1, 2), read off the bits (std::frexp()
    // without the call).
    const quint64 bits = std::bit_cast<quint64>(magnitude);
    const int octave = int(bits >> MantissaBits) - ExponentBias;
    const quint64 mantissa = bits & MantissaMask;
    const double fraction = std::bit_cast<double>(BitsOfOne | mantissa);
    // The first bound at or above the fraction: a fraction equal to a bound ends that bucket.
    // Which side of the bound a sample falls on is as random as the samples: no branch.
    int step = FirstStepOfSlice[mantissa >> (MantissaBits - SliceBits)];
    step += int(fraction > OctaveBounds[step]);
    return octave * Histogram::BucketsPerOctave + step;
}

// The bucket of any finite magnitude above 0: subnormals and magnitudes out of the range get
// an index beyond UnderflowIndex or OverflowIndex, which the clamp brings back.
inline int indexOfMagnitude(double magnitude) noexcept
{
    return std::clamp(indexOfMagnitudeInRange(magnitude), int(Histogram::UnderflowIndex),
                      int(Histogram::OverflowIndex));
}

// Histogram::bucketIndex(), inlined where single samples are added.
inline int indexOf(double value) noexcept
{
    const double magnitude = std::fabs(value);
    if (!(magnitude > 0.0))
        return 0;
    if (std::isinf(magnitude))
        return Histogram::OverflowIndex;
    return indexOfMagnitude(magnitude);
}

// Counts of one sign's buckets, for a window's samples: a few hundred buckets at most in
// practice, all of them (2,051) at worst.
using BucketCounts = QVarLengthArray<qint64, 512>;

BucketCounts zeroCounts(int lowest, int highest)
{
    BucketCounts counts(highest >= lowest ? highest - lowest + 1 : 0);
    std::fill(counts.begin(), counts.end(), 0);
    return counts;
}

// A window's finite samples at a glance: the first of Histogram::fromSamples()'s passes. The
// sum is not taken here but in the second pass, where the latency of its chain of additions
// (it must stay in the samples' order, as the rows' mean) hides behind the bucket search.
struct SampleExtremes
{
    qint64 count = 0;
    qint64 zeroCount = 0;
    double min = 0.0;
    double max = 0.0;
    double lowestPositive = std::numeric_limits<double>::infinity();
    double highestNegative = -std::numeric_limits<double>::infinity();

    // Not inlined: in the caller, whose later calls need the registers, GCC kept the running
    // extremes in memory, a store and a load on each one's chain at every sample.
    Q_NEVER_INLINE static SampleExtremes of(const QList<double> &samples) noexcept
    {
        qint64 count = 0;
        double min = std::numeric_limits<double>::infinity();
        double max = -std::numeric_limits<double>::infinity();
        for (double sample : samples) {
            if (!std::isfinite(sample))
                continue;
            ++count;
            min = sample < min ? sample : min;
            max = sample > max ? sample : max;
        }
        SampleExtremes extremes;
        extremes.count = count;
        extremes.min = min;
        extremes.max = max;
        if (min > 0.0) { // the usual window: positive samples only
            extremes.lowestPositive = min;
            return extremes;
        }
        for (double sample : samples) {
            if (sample == 0.0)
                ++extremes.zeroCount;
            else if (sample > 0.0 && sample < extremes.lowestPositive)
                extremes.lowestPositive = sample;
            else if (sample < 0.0 && sample > extremes.highestNegative)
                extremes.highestNegative = sample;
        }
        return extremes;
    }
};

} // namespace

int Histogram::bucketIndex(double value) noexcept
{
    return indexOf(value);
}

double Histogram::upperBound(int index) noexcept
{
    if (index >= OverflowIndex)
        return MaxDouble;
    index = std::max(index, int(UnderflowIndex));
    // Floor division and its remainder, for negative indexes too.
    const int octave = index >> Scale;
    const int step = index & (BucketsPerOctave - 1);
    return std::ldexp(OctaveBounds[step], octave);
}

double Histogram::lowerBound(int index) noexcept
{
    if (index <= UnderflowIndex)
        return 0.0;
    return upperBound(std::min(index, int(OverflowIndex)) - 1);
}

Histogram Histogram::fromSamples(const QList<double> &samples)
{
    // Two passes. The first finds the extremes, hence each sign's range of buckets; the second
    // counts each sample into its bucket (with no test at all in the usual window).
    const SampleExtremes extremes = SampleExtremes::of(samples);
    const qint64 count = extremes.count;
    const double min = extremes.min;
    const double max = extremes.max;
    Histogram histogram;
    if (count == 0)
        return histogram;
    const int lowestPositiveIndex = max > 0.0 ? indexOfMagnitude(extremes.lowestPositive) : 0;
    const int lowestNegativeIndex = min < 0.0 ? indexOfMagnitude(-extremes.highestNegative) : 0;
    BucketCounts positive = zeroCounts(lowestPositiveIndex, max > 0.0 ? indexOfMagnitude(max) : -1);
    BucketCounts negative =
        zeroCounts(lowestNegativeIndex, min < 0.0 ? indexOfMagnitude(-min) : -1);
    // The plain sum, in the samples' order. Saturating it at every step (addSums()) took twice
    // as long; the two differ only if a partial sum overflowed, which leaves the plain one
    // infinite: then the saturated one is taken, in another pass.
    double sum = 0.0;
    constexpr double LowestInRange = 0x1p-64;
    constexpr double HighestInRange = 0x1p64;
    static_assert(Histogram::LowestExponent == -64 && Histogram::HighestExponent == 64);
    if (count == samples.size() && min >= LowestInRange && max <= HighestInRange) {
        // The usual window: finite positive samples within the range, counted with no test.
        for (double sample : samples) {
            sum += sample;
            ++positive[indexOfMagnitudeInRange(sample) - lowestPositiveIndex];
        }
    } else {
        for (double sample : samples) {
            if (sample > 0.0 && sample <= MaxDouble) {
                sum += sample;
                ++positive[indexOfMagnitude(sample) - lowestPositiveIndex];
            } else if (sample < 0.0 && sample >= -MaxDouble) {
                sum += sample;
                ++negative[indexOfMagnitude(-sample) - lowestNegativeIndex];
            }
        }
    }
    if (!std::isfinite(sum)) {
        sum = 0.0;
        for (double sample : samples) {
            if (std::isfinite(sample))
                sum = addSums(sum, sample);
        }
    }
    histogram.m_count = count;
    histogram.m_zeroCount = extremes.zeroCount;
    histogram.m_sum = sum;
    histogram.m_min = min;
    histogram.m_max = max;
    histogram.m_positive = bucketsOfCounts(positive.data(), positive.size(), lowestPositiveIndex);
    histogram.m_negative = bucketsOfCounts(negative.data(), negative.size(), lowestNegativeIndex);
    return histogram;
}

std::optional<Histogram> Histogram::fromParts(qint64 zeroCount, const QList<Bucket> &negative,
                                              const QList<Bucket> &positive, double min, double max,
                                              double sum)
{
    if (zeroCount < 0 || !validBuckets(negative) || !validBuckets(positive) || !std::isfinite(sum)
        || !std::isfinite(min) || !std::isfinite(max) || min > max)
        return std::nullopt;
    Histogram histogram;
    histogram.m_negative = negative;
    histogram.m_positive = positive;
    histogram.m_zeroCount = zeroCount;
    histogram.m_count = addCounts(zeroCount, addCounts(totalOf(negative), totalOf(positive)));
    histogram.m_sum = sum;
    if (histogram.m_count > 0) {
        histogram.m_min = min;
        histogram.m_max = max;
    }
    return histogram;
}

void Histogram::add(double value)
{
    if (!std::isfinite(value))
        return;
    if (m_count == 0) {
        m_min = value;
        m_max = value;
    } else {
        m_min = std::min(m_min, value);
        m_max = std::max(m_max, value);
    }
    m_count = addCounts(m_count, 1);
    m_sum = addSums(m_sum, value);
    if (value == 0.0)
        m_zeroCount = addCounts(m_zeroCount, 1);
    else
        addToBuckets(value < 0.0 ? m_negative : m_positive, indexOf(value));
}

void Histogram::merge(const Histogram &other)
{
    if (other.isEmpty()) {
        m_sum = addSums(m_sum, other.m_sum);
        return;
    }
    if (isEmpty()) {
        const double sum = m_sum;
        *this = other;
        m_sum = addSums(sum, other.m_sum);
        return;
    }
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
    m_count = addCounts(m_count, other.m_count);
    m_zeroCount = addCounts(m_zeroCount, other.m_zeroCount);
    m_sum = addSums(m_sum, other.m_sum);
    m_negative = mergeBuckets(m_negative, other.m_negative);
    m_positive = mergeBuckets(m_positive, other.m_positive);
}

double Histogram::mean() const noexcept
{
    return isEmpty() ? 0.0 : m_sum / double(m_count);
}

double Histogram::percentile(double p) const noexcept
{
    if (isEmpty())
        return 0.0;
    const double clamped = p > 0.0 ? std::min(p, 100.0) : 0.0;
    const qint64 rank = Detail::WindowRows::percentileIndex(m_count, clamped);
    if (rank == 0)
        return m_min;
    if (rank == m_count - 1)
        return m_max;
    // Walk the buckets in the order of their values: the negative ones from the largest
    // magnitude down, the zeros, the positive ones up; the first whose samples reach past the
    // rank holds it.
    qint64 seen = 0;
    const auto inRange = [this](double value) { return std::clamp(value, m_min, m_max); };
    for (auto bucket = m_negative.crbegin(); bucket != m_negative.crend(); ++bucket) {
        seen = addCounts(seen, bucket->count);
        if (seen > rank)
            return inRange(-representative(bucket->index));
    }
    seen = addCounts(seen, m_zeroCount);
    if (seen > rank)
        return 0.0;
    for (const Bucket &bucket : m_positive) {
        seen = addCounts(seen, bucket.count);
        if (seen > rank)
            return inRange(representative(bucket.index));
    }
    // Counts that saturated can leave the rank unreached: the largest sample is the answer.
    return m_max;
}

QList<double> Histogram::prometheusBounds()
{
    static_assert(PrometheusScale <= Scale, "coarse bounds must be bounds of the fine scale");
    constexpr int FinePerCoarse = 1 << (Scale - PrometheusScale);
    constexpr int Steps = 1 << PrometheusScale;
    QList<double> bounds;
    bounds.reserve((PrometheusHighestExponent - PrometheusLowestExponent) * Steps + 1);
    for (int k = PrometheusLowestExponent * Steps; k <= PrometheusHighestExponent * Steps; ++k)
        bounds.append(upperBound(k * FinePerCoarse));
    return bounds;
}

QList<qint64> Histogram::cumulativeCounts() const
{
    constexpr int FinePerCoarse = 1 << (Scale - PrometheusScale);
    constexpr int Steps = 1 << PrometheusScale;
    // Negative samples, zeros and the underflow bucket are below every bound.
    qint64 below = addCounts(totalOf(m_negative), m_zeroCount);
    QList<qint64> counts;
    counts.reserve((PrometheusHighestExponent - PrometheusLowestExponent) * Steps + 1);
    auto bucket = m_positive.cbegin();
    for (int k = PrometheusLowestExponent * Steps; k <= PrometheusHighestExponent * Steps; ++k) {
        // A fine bucket is below the bound exactly when its upper bound is, as bounds are shared.
        for (; bucket != m_positive.cend() && bucket->index <= k * FinePerCoarse; ++bucket)
            below = addCounts(below, bucket->count);
        counts.append(below);
    }
    return counts;
}

} // namespace Statvent
