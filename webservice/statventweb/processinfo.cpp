// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/processinfo.h>

#include <QByteArray>
#include <QFile>
#include <QList>

#include <cerrno>
#include <charconv>

#include <cstdio>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace StatventWeb {

namespace {

constexpr qint64 NsPerSecond = 1'000'000'000;
//! The slack startedAfter() allows (see its documentation).
constexpr qint64 StartTimeSlackNs = NsPerSecond;

//! The whole of a small /proc file; QFile::readAll() copes with /proc's zero st_size.
QByteArray readProcFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

std::optional<qint64> parseInteger(QByteArrayView text)
{
    qint64 value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size())
        return std::nullopt;
    return value;
}

//! /proc/stat's `btime`: the boot time in whole seconds since the epoch.
std::optional<qint64> bootTimeSeconds()
{
    const QByteArray stat = readProcFile(QStringLiteral("/proc/stat"));
    for (const QByteArray &line : stat.split('\n')) {
        if (line.startsWith("btime "))
            return parseInteger(line.sliced(6).trimmed());
    }
    return std::nullopt;
}

} // namespace

bool ProcessInfo::exists(qint64 pid) noexcept
{
    // EPERM means the process exists but belongs to someone else: still alive.
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH);
}

std::optional<qint64> ProcessInfo::startTimeNs(qint64 pid)
{
    const QByteArray stat = readProcFile(QStringLiteral("/proc/%1/stat").arg(pid));
    // Field 2, the command name, is in parentheses and may hold spaces and ')': the fields
    // that follow start after the last ')'. Field 3 is then the first of them, field 22 the 20th.
    const qsizetype commandEnd = stat.lastIndexOf(')');
    if (commandEnd < 0)
        return std::nullopt;
    const QList<QByteArray> fields = stat.sliced(commandEnd + 1).trimmed().split(' ');
    constexpr qsizetype StartTimeIndex = 22 - 3;
    if (fields.size() <= StartTimeIndex)
        return std::nullopt;
    const std::optional<qint64> ticks = parseInteger(fields.at(StartTimeIndex));
    const std::optional<qint64> boot = bootTimeSeconds();
    const long ticksPerSecond = ::sysconf(_SC_CLK_TCK);
    if (!ticks || !boot || ticksPerSecond <= 0)
        return std::nullopt;
    return *boot * NsPerSecond + *ticks * (NsPerSecond / ticksPerSecond);
}

bool ProcessInfo::startedAfter(qint64 pid, qint64 fileTimeNs)
{
    const std::optional<qint64> start = startTimeNs(pid);
    return start && *start > fileTimeNs + StartTimeSlackNs;
}

std::optional<uid_t> ProcessInfo::directoryOwner(qint64 pid)
{
    char path[32];
    std::snprintf(path, sizeof(path), "/proc/%lld", static_cast<long long>(pid));
    struct stat status;
    if (pid <= 0 || ::stat(path, &status) != 0)
        return std::nullopt;
    return status.st_uid;
}

std::optional<ProcessInfo::UserIds> ProcessInfo::userIds(qint64 pid)
{
    const QByteArray status = readProcFile(QStringLiteral("/proc/%1/status").arg(pid));
    for (const QByteArray &line : status.split('\n')) {
        if (!line.startsWith("Uid:"))
            continue;
        const QList<QByteArray> fields = line.sliced(4).simplified().split(' ');
        if (fields.size() != 4)
            return std::nullopt;
        uid_t ids[4];
        for (int i = 0; i < 4; ++i) {
            const std::optional<qint64> id = parseInteger(fields.at(i));
            if (!id || *id < 0)
                return std::nullopt;
            ids[i] = uid_t(*id);
        }
        return UserIds{ids[0], ids[1], ids[2], ids[3]};
    }
    return std::nullopt;
}

} // namespace StatventWeb
