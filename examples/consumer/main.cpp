// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Counts to three through the installed library and prints the pipe text a reader would get.
// The exit status says whether that text is the expected one, so an install check can run it.

#include <statvent/statvent.h>

#include <cstdio>

int main()
{
    Statvent::incr("consumer.runs");
    Statvent::incr("consumer.runs", 2);

    const QByteArray text = Statvent::snapshotText();
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    return text == "consumer.runs: 3\n" ? 0 : 1;
}
