// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/weblogging.h>

Q_LOGGING_CATEGORY(lcStatventWeb, "statvent.web", QtInfoMsg)
