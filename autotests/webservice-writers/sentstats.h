// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// What statvent-web reads from a process, made without a process: for the tests of what it
// does with it (combining, writing JSON).
#ifndef STATVENT_AUTOTESTS_SENTSTATS_H
#define STATVENT_AUTOTESTS_SENTSTATS_H

#include <statventweb/sweepresult.h>

#include <statvent/pipeformat.h>
#include <statvent/statregistry.h>

namespace StatventTest {

//! What a process with \a registry sends over its socket.
inline StatventWeb::ProcessStats overSocket(qint64 pid, const Statvent::StatRegistry &registry)
{
    Statvent::TypedSnapshot typed = registry.typedSnapshot();
    StatventWeb::ProcessStats process;
    process.pid = pid;
    process.channel = StatventWeb::Channel::Socket;
    process.stats = std::move(typed.stats);
    process.windows = std::move(typed.windows);
    return process;
}

//! What a process with \a registry sends through its FIFO: rows without kinds or windows.
inline StatventWeb::ProcessStats overFifo(qint64 pid, const Statvent::StatRegistry &registry)
{
    StatventWeb::ProcessStats process;
    process.pid = pid;
    process.stats = Statvent::PipeFormat::parse(registry.snapshotText()).stats;
    return process;
}

} // namespace StatventTest

#endif
