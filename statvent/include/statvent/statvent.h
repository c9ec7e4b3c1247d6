// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATVENT_H
#define STATVENT_STATVENT_H

/*!
 * \file
 * The developer and deployer API of Statvent, working on StatRegistry::global(): the one header
 * an application includes to count, set and record statistics and serve them through its pipe.
 *
 * \code
 * Statvent::incr("requests");                    // counter
 * Statvent::set("queue.length", queue.size());   // gauge
 * Statvent::record("latency.{0}", elapsedMs);    // latency.median, latency.95th, ... latency.mean
 * Statvent::startRecorder();                      // cat /tmp/stats-pipe/<pid>.stats
 * \endcode
 */

#include <statvent/aggregates.h>
#include <statvent/counter.h>
#include <statvent/gauge.h>
#include <statvent/pipedirectory.h>
#include <statvent/pipeformat.h>
#include <statvent/recorder.h>
#include <statvent/samplewindow.h>
#include <statvent/statentry.h>
#include <statvent/statregistry.h>
#include <statvent/statvalue.h>

namespace Statvent {

//! Adds \a value to the statistic \a name (a missing one starts at 0).
STATVENT_EXPORT void incr(QAnyStringView name, StatValue value = 1);
//! Replaces the value (and type) of the statistic \a name.
STATVENT_EXPORT void set(QAnyStringView name, StatValue value);
//! Adds a sample to the window \a name, reported as percentiles and mean.
STATVENT_EXPORT void record(QAnyStringView name, double value);
//! As record(), naming the aggregates with \a formatter instead of replacing `{0}`.
STATVENT_EXPORT void record(QAnyStringView name, double value, const NameFormatter &formatter);

//! Lock-free handles to statistics of the global registry.
STATVENT_EXPORT Counter counter(QAnyStringView name);
STATVENT_EXPORT Gauge gauge(QAnyStringView name);
STATVENT_EXPORT SampleWindow sampleWindow(QAnyStringView name, const NameFormatter &formatter = {});

//! Every statistic of the global registry, windows turned into aggregate rows.
STATVENT_EXPORT Snapshot snapshot();
//! snapshot() as pipe text.
STATVENT_EXPORT QByteArray snapshotText();

/*!
 * Starts serving the global registry through `<pipeDir()>/<pid>.stats`. A second call does
 * nothing and returns true. Returns false, with a warning saying why, when the pipe cannot be
 * made; the application carries on either way.
 */
STATVENT_EXPORT bool startRecorder();
//! Stops the recorder started by startRecorder() and removes its pipe.
STATVENT_EXPORT void stopRecorder();
//! Where the global recorder puts its pipe; takes effect at the next startRecorder().
STATVENT_EXPORT void setPipeDir(const QString &directory);
//! setPipeDir()'s value, else `$STATVENT_PIPE_DIR`, else `/tmp/stats-pipe`.
STATVENT_EXPORT QString pipeDir();
//! `<pipeDir()>/<pid>.stats`.
STATVENT_EXPORT QString pipePath();

} // namespace Statvent

#endif
