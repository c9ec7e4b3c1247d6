// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Builds statvent-web's sweep results from fuzz input, for the targets of its writers.
#ifndef STATVENT_FUZZ_FUZZSWEEP_H
#define STATVENT_FUZZ_FUZZSWEEP_H

#include "fuzzinput.h"
#include <statventweb/statcombiner.h>
#include <statventweb/sweepresult.h>

#include <QByteArray>
#include <QHash>

namespace StatventFuzz {

/*!
 * A sweep as PipeSweep can produce it: up to 4 processes with distinct pids, each with
 * distinct names (any bytes, LF and invalid UTF-8 included) and finite values, whose combination
 * may still overflow to an infinite real; plus unanswered and removed pids. Every second
 * process spoke over its socket: its statistics are counters, gauges or untyped (no windows).
 */
StatventWeb::SweepResult takeSweepResult(FuzzInput &input);

//! The combine mode picked by one byte of input.
StatventWeb::StatCombiner::Mode takeMode(FuzzInput &input);

//! Name -> value, to look up what a writer should have written for a name.
QHash<QByteArray, Statvent::StatValue> valuesByName(const Statvent::Snapshot &stats);

} // namespace StatventFuzz

#endif
