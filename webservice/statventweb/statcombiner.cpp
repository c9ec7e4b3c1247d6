// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/statcombiner.h>

#include <nameindex.h>

#include <limits>
#include <vector>

namespace StatventWeb {

using Statvent::Detail::NameIndex;

namespace {

__extension__ typedef __int128 Int128; // GCC and Clang; -Wpedantic knows no 128-bit type

using Statvent::StatKind;
using Statvent::StatValue;

/*!
 * What the processes that report one statistic add up to, so far. Integers are summed exactly
 * (a 128-bit sum of qint64 values cannot overflow for fewer than 2^64 of them) and reals apart,
 * so that an intermediate sum beyond qint64 does not make an exact total a real.
 */
struct Sum
{
    Int128 integers = 0;
    double reals = 0;
    bool anyReal = false;

    void add(const StatValue &value)
    {
        if (value.isInteger()) {
            integers += value.toInteger();
        } else {
            reals += value.toReal();
            anyReal = true;
        }
    }

    //! The total, converted once: an integer if no real took part and it fits in qint64.
    StatValue total() const
    {
        if (!anyReal && integers >= std::numeric_limits<qint64>::min()
            && integers <= std::numeric_limits<qint64>::max())
            return StatValue(qint64(integers));
        return StatValue(double(integers) + reals);
    }
};

} // namespace

Statvent::Snapshot StatCombiner::combine(const QList<ProcessStats> &processes, Mode mode)
{
    Statvent::Snapshot combined;
    std::vector<Sum> sums; // for sum and avg: one per row of `combined`
    QList<qsizetype> reporters; // for avg: how many processes report each row
    NameIndex rowOf(processes.isEmpty() ? 0
                                        : processes.first().stats.size()); // views into `processes`
    const bool summing = mode == Mode::Sum || mode == Mode::Avg;

    for (const ProcessStats &process : processes) {
        // Processes of one program list the same names in the same order: try the row after the
        // last one found before looking the name up.
        qsizetype nextRow = 0;
        for (const Statvent::StatEntry &entry : process.stats) {
            qsizetype row = nextRow < combined.size() && combined.at(nextRow).name == entry.name
                ? nextRow
                : rowOf.findOrInsert(entry.name, combined.size());
            if (row < 0) {
                nextRow = combined.size() + 1;
                combined.append(entry);
                reporters.append(1);
                if (summing) {
                    sums.emplace_back();
                    sums.back().add(entry.value);
                }
                continue;
            }
            nextRow = row + 1;
            Statvent::StatEntry &combinedEntry = combined[row];
            combinedEntry.kind = Statvent::combinedKind(combinedEntry.kind, entry.kind);
            switch (mode) {
            case Mode::Sum:
            case Mode::Avg:
                sums[std::size_t(row)].add(entry.value);
                break;
            case Mode::Max:
                if (StatValue::lessThan(combinedEntry.value, entry.value))
                    combinedEntry.value = entry.value;
                break;
            case Mode::Min:
                if (StatValue::lessThan(entry.value, combinedEntry.value))
                    combinedEntry.value = entry.value;
                break;
            }
            ++reporters[row];
        }
    }

    for (qsizetype row = 0; row < combined.size(); ++row) {
        Statvent::StatEntry &entry = combined[row];
        if (summing) {
            const StatValue total = sums[std::size_t(row)].total();
            entry.value =
                mode == Mode::Sum ? total : StatValue(total.toReal() / double(reporters.at(row)));
        }
        // Only a sum of counters only grows (but for a process that leaves, which a reader of
        // counters takes for a reset); the largest, smallest or mean of counters may go down.
        if (mode != Mode::Sum && entry.kind == StatKind::Counter)
            entry.kind = StatKind::Gauge;
    }
    return combined;
}

std::optional<StatCombiner::Mode> StatCombiner::modeFromName(QStringView name)
{
    for (Mode mode : {Mode::Sum, Mode::Max, Mode::Min, Mode::Avg}) {
        if (name == StatCombiner::name(mode))
            return mode;
    }
    return std::nullopt;
}

QLatin1StringView StatCombiner::name(Mode mode) noexcept
{
    // Indexed by Mode.
    static constexpr QLatin1StringView Names[] = {
        QLatin1StringView("sum"), QLatin1StringView("max"), QLatin1StringView("min"),
        QLatin1StringView("avg")};
    return Names[std::size_t(mode)];
}

} // namespace StatventWeb
