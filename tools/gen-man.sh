#!/bin/sh
# gen-man.sh BINDIR MANDIR VERSION: a man page per program from its --help text (what the
# program says about itself is the documentation, so the two cannot drift apart).
set -e
bindir=$1; mandir=$2; version=$3
mkdir -p "$mandir"
for p in "$bindir"/*; do
    [ -x "$p" ] || continue
    name=$(basename "$p")
    help=$("$p" --help 2>&1) || true
    summary=$(printf '%s\n' "$help" | sed -n '1{s/^[^ ]*: *//;s/^[Uu]sage: *//;p;}')
    {
        printf '.TH %s 1 "" "bdsrx %s" "User Commands"\n' "$(echo "$name" | tr a-z A-Z)" "$version"
        printf '.SH NAME\n%s \\- BeiDou-3 software receiver (bdsrx)\n' "$name"
        printf '.SH SYNOPSIS\n.nf\n%s\n.fi\n' "$summary" | sed 's/\\/\\\\/g'
        printf '.SH DESCRIPTION\n.nf\n'
        printf '%s\n' "$help" | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"
        printf '.fi\n.SH SEE ALSO\nbdsrx(1), the README of the bdsrx sources\n'
    } > "$mandir/$name.1"
done
