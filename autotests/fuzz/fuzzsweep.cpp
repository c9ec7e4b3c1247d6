// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "fuzzsweep.h"

#include <QSet>

using namespace Statvent;
using namespace StatventWeb;

namespace StatventFuzz {

namespace {

QList<qint64> takePids(FuzzInput &input)
{
    QList<qint64> pids;
    const int count = input.takeByte() % 4;
    for (int i = 0; i < count; ++i)
        pids.append(1 + input.takeByte());
    return pids;
}

} // namespace

SweepResult takeSweepResult(FuzzInput &input)
{
    SweepResult result;
    result.timestamp = input.takeInterestingDouble();
    result.duration = input.takeInterestingDouble();
    result.unanswered = takePids(input);
    result.removed = takePids(input);
    const int processCount = 1 + input.takeByte() % 4;
    for (int i = 0; i < processCount; ++i) {
        ProcessStats process;
        process.pid = qint64(i) * 1000 + input.takeByte(); // distinct, as in a sweep
        process.rejectedLines = input.takeByte();
        process.truncated = input.takeByte() & 1;
        // Every second process spoke over its socket, with kinds: decided without taking a
        // byte, so that every input of the corpus still reads the same sweep.
        if (i % 2 == 1)
            process.channel = Channel::Socket;
        const qsizetype entryCount = 1 + input.takeByte() % 16;
        QSet<QByteArray> names;
        for (StatEntry &entry : input.takeSnapshot(entryCount, 300)) {
            // A sweep keeps each name once and never reads a non-finite value.
            if (!entry.value.isFinite() || names.contains(entry.name))
                continue;
            names.insert(entry.name);
            if (process.channel == Channel::Socket) {
                static constexpr StatKind Kinds[] = {StatKind::Counter, StatKind::Gauge,
                                                     StatKind::Untyped};
                entry.kind = Kinds[std::size_t(entry.name.size()) % 3];
            }
            process.stats.append(std::move(entry));
        }
        result.processes.append(std::move(process));
    }
    return result;
}

StatCombiner::Mode takeMode(FuzzInput &input)
{
    return StatCombiner::Mode(input.takeByte() % 4);
}

QHash<QByteArray, StatValue> valuesByName(const Snapshot &stats)
{
    QHash<QByteArray, StatValue> values;
    for (const StatEntry &entry : stats)
        values.insert(entry.name, entry.value);
    return values;
}

} // namespace StatventFuzz
