// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/statvent.h"

#include <cstdlib>

namespace Statvent {

void incr(QAnyStringView name, StatValue value)
{
    StatRegistry::global()->incr(name, value);
}

void set(QAnyStringView name, StatValue value)
{
    StatRegistry::global()->set(name, value);
}

void record(QAnyStringView name, double value)
{
    StatRegistry::global()->record(name, value);
}

void record(QAnyStringView name, double value, const NameFormatter &formatter)
{
    StatRegistry::global()->record(name, value, formatter);
}

Counter counter(QAnyStringView name)
{
    return StatRegistry::global()->counter(name);
}

Gauge gauge(QAnyStringView name)
{
    return StatRegistry::global()->gauge(name);
}

SampleWindow sampleWindow(QAnyStringView name, const NameFormatter &formatter)
{
    return StatRegistry::global()->sampleWindow(name, formatter);
}

Snapshot snapshot()
{
    return StatRegistry::global()->snapshot();
}

QByteArray snapshotText()
{
    return StatRegistry::global()->snapshotText();
}

} // namespace Statvent

namespace Statvent {

namespace {

Recorder *globalRecorder()
{
    // Never destroyed, like the global registry; std::atexit(stopRecorder) removes the pipe.
    static Recorder *const recorder = new Recorder(StatRegistry::global());
    return recorder;
}

} // namespace

bool startRecorder()
{
    static const bool stopAtExit = [] {
        std::atexit(stopRecorder);
        return true;
    }();
    Q_UNUSED(stopAtExit);
    return globalRecorder()->start();
}

void stopRecorder()
{
    globalRecorder()->stop();
}

void setPipeDir(const QString &directory)
{
    globalRecorder()->setPipeDir(directory);
}

QString pipeDir()
{
    return globalRecorder()->pipeDir();
}

QString pipePath()
{
    return globalRecorder()->pipePath();
}

} // namespace Statvent
