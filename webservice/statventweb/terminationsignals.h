// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_TERMINATIONSIGNALS_H
#define STATVENTWEB_TERMINATIONSIGNALS_H

#include <QObject>

namespace StatventWeb {

/*!
 * Turns SIGINT and SIGTERM into a Qt signal in the thread that created this object, so that a
 * service can shut down through its event loop (and its destructors) instead of dying mid-write.
 *
 * The handler only writes the signal number into a pipe (the self-pipe trick: write() is
 * async-signal-safe); a QSocketNotifier reads it. One instance at a time; its destructor
 * restores the previous dispositions.
 */
class TerminationSignals : public QObject
{
    Q_OBJECT

public:
    explicit TerminationSignals(QObject *parent = nullptr);
    ~TerminationSignals() override;

Q_SIGNALS:
    void received(int signalNumber);

private:
    void readPipe();
};

} // namespace StatventWeb

#endif
