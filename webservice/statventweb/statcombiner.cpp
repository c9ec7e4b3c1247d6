// SPDX-License-Identifier: MIT
#include <statventweb/statcombiner.h>

#include <statventweb/nameindex.h>

namespace StatventWeb {

Statvent::Snapshot StatCombiner::combine(const QList<ProcessStats> &processes, Mode mode)
{
    Statvent::Snapshot combined;
    QList<qsizetype> reporters; // for avg: how many processes report each row
    NameIndex rowOf(processes.isEmpty() ? 0 : processes.first().stats.size()); // views into `processes`

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
                continue;
            }
            nextRow = row + 1;
            Statvent::StatValue &value = combined[row].value;
            switch (mode) {
            case Mode::Sum:
            case Mode::Avg:
                value += entry.value;
                break;
            case Mode::Max:
                if (Statvent::StatValue::lessThan(value, entry.value))
                    value = entry.value;
                break;
            case Mode::Min:
                if (Statvent::StatValue::lessThan(entry.value, value))
                    value = entry.value;
                break;
            }
            ++reporters[row];
        }
    }

    if (mode == Mode::Avg) {
        for (qsizetype row = 0; row < combined.size(); ++row) {
            Statvent::StatValue &value = combined[row].value;
            value = Statvent::StatValue(value.toReal() / double(reporters.at(row)));
        }
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
    static constexpr QLatin1StringView Names[] = {QLatin1StringView("sum"), QLatin1StringView("max"),
                                                  QLatin1StringView("min"), QLatin1StringView("avg")};
    return Names[std::size_t(mode)];
}

} // namespace StatventWeb
