// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/pipedirectory.h"

#include <cstring>
#include <limits>

#include <sys/stat.h>

namespace Statvent {

namespace {

constexpr QByteArrayView PipeSuffix(".stats");
constexpr QByteArrayView SparePrefix(".");
constexpr QByteArrayView SpareSuffix(".stats.next");
constexpr QByteArrayView SocketSuffix(".sock");

//! The pid spelled by \a digits, or 0 if they are not a positive pid_t's canonical decimal form.
qint64 parsePid(QByteArrayView digits) noexcept
{
    // At most 10 digits, no leading zero, no sign.
    if (digits.isEmpty() || digits.size() > 10 || digits.front() == '0')
        return 0;
    qint64 pid = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return 0;
        pid = pid * 10 + (c - '0');
    }
    return pid <= std::numeric_limits<pid_t>::max() ? pid : 0;
}

} // namespace

QString PipeDirectory::defaultPath()
{
    const QString fromEnvironment = qEnvironmentVariable(EnvironmentVariable);
    return fromEnvironment.isEmpty() ? QString::fromLatin1(FallbackPath) : fromEnvironment;
}

QByteArray PipeDirectory::pipeName(qint64 pid)
{
    return QByteArray::number(pid) + PipeSuffix;
}

QByteArray PipeDirectory::spareName(qint64 pid)
{
    return SparePrefix.toByteArray() + QByteArray::number(pid) + SpareSuffix;
}

QByteArray PipeDirectory::socketName(qint64 pid)
{
    return QByteArray::number(pid) + SocketSuffix;
}

PipeDirectory::Entry PipeDirectory::parseName(QByteArrayView name) noexcept
{
    const auto entry = [](EntryKind kind, qint64 pid) { return pid ? Entry{kind, pid} : Entry{}; };
    if (name.startsWith(SparePrefix)) {
        if (!name.endsWith(SpareSuffix) || name.size() < SparePrefix.size() + SpareSuffix.size())
            return {};
        return entry(EntryKind::Spare,
                     parsePid(name.sliced(SparePrefix.size()).chopped(SpareSuffix.size())));
    }
    if (name.endsWith(PipeSuffix))
        return entry(EntryKind::Pipe, parsePid(name.chopped(PipeSuffix.size())));
    if (name.endsWith(SocketSuffix))
        return entry(EntryKind::Socket, parsePid(name.chopped(SocketSuffix.size())));
    return {};
}

QString PipeDirectory::describeFileType(mode_t mode)
{
    struct FileType
    {
        mode_t type;
        const char *description;
    };
    static constexpr FileType FileTypes[] = {
        {S_IFIFO, "a FIFO"},         {S_IFLNK, "a symbolic link"}, {S_IFREG, "a regular file"},
        {S_IFDIR, "a directory"},    {S_IFSOCK, "a socket"},       {S_IFCHR, "a character device"},
        {S_IFBLK, "a block device"},
    };
    for (const FileType &fileType : FileTypes) {
        if ((mode & S_IFMT) == fileType.type)
            return QString::fromLatin1(fileType.description);
    }
    return QStringLiteral("of an unknown type");
}

QString PipeDirectory::errorText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace Statvent
