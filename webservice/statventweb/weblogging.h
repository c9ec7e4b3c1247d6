// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_WEBLOGGING_H
#define STATVENTWEB_WEBLOGGING_H

#include <QLoggingCategory>

//! statvent-web's messages: what was skipped, removed or refused, and why.
Q_DECLARE_LOGGING_CATEGORY(lcStatventWeb)

#endif
