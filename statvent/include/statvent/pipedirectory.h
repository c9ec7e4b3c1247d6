// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_PIPEDIRECTORY_H
#define STATVENT_PIPEDIRECTORY_H

#include <statvent/statvent_export.h>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <sys/types.h>

namespace Statvent {

/*!
 * The names in a pipe directory, and the words used to talk about its files.
 *
 * A process with pid P that serves its statistics owns these names in the directory:
 * - `P.stats`: the FIFO that `cat` and statvent-web read (pipeName());
 * - `.P.stats.next`: the next FIFO or socket, present only for the instant before it is
 *   renamed to `P.stats` or `P.sock` (spareName());
 * - `P.sock`: the Unix stream socket for machine readers (socketName()).
 *
 * The recorder writes these names, statvent-web and the tests read them back with
 * parseName(); neither spells them out itself. Messages about a file in the directory name its
 * type with describeFileType() and a failed call's reason with errorText().
 */
class STATVENT_EXPORT PipeDirectory
{
public:
    //! The environment variable that overrides defaultPath().
    static constexpr char EnvironmentVariable[] = "STATVENT_PIPE_DIR";
    //! The directory used when neither the program nor the environment names one.
    static constexpr char FallbackPath[] = "/tmp/stats-pipe";

    //! `$STATVENT_PIPE_DIR` if set and not empty, else `/tmp/stats-pipe`.
    static QString defaultPath();

    //! `<pid>.stats`
    static QByteArray pipeName(qint64 pid);
    //! `.<pid>.stats.next`: a dotfile, which readers of the directory skip.
    static QByteArray spareName(qint64 pid);
    //! `<pid>.sock`
    static QByteArray socketName(qint64 pid);

    enum class EntryKind : quint8 {
        //! Not a name a recorder makes (`.`, `..`, `0.stats`, `12.stat`, ...).
        Unrelated,
        //! The FIFO, `<pid>.stats`.
        Pipe,
        //! The spare FIFO or socket, `.<pid>.stats.next`.
        Spare,
        //! The socket, `<pid>.sock`.
        Socket,
    };
    struct Entry
    {
        EntryKind kind = EntryKind::Unrelated;
        //! The pid in the name; 0 for an unrelated name.
        qint64 pid = 0;
    };
    /*!
     * What a directory entry's name says it is. A pid is a positive `pid_t` written in decimal
     * with no sign and no leading zero; any other spelling is Unrelated.
     */
    static Entry parseName(QByteArrayView name) noexcept;

    /*!
     * The type of a file as a message says it, from `st_mode` (or `DTTOIF(d_type)`): "a FIFO",
     * "a symbolic link", "a regular file", "a directory", "a socket", "a character device",
     * "a block device", or "of an unknown type".
     */
    static QString describeFileType(mode_t mode);

    //! The system's text for \a error, an `errno` value.
    static QString errorText(int error);
};

} // namespace Statvent

#endif
