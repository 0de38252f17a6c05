#!/usr/bin/env bash
# The translation catalogs, with Babel (see docs/i18n.md):
#   bash scripts/i18n.sh extract    strings of the code -> wallboard/locale/wallboard.pot
#   bash scripts/i18n.sh update     the template -> every language's .po (new msgids empty)
#   bash scripts/i18n.sh compile    every .po -> its .mo (shipped in the package)
#   bash scripts/i18n.sh init LANG  a new language's .po from the template
#   bash scripts/i18n.sh            extract, update and compile
# tests/test_i18n_catalogs.py fails when one of these steps was forgotten.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
LOCALES=wallboard/locale
POT="${POT:-$LOCALES/wallboard.pot}"

extract() {
    # Sentence(...): the core's and the service's sentences; counted(n, one, many): plurals;
    # C_(context, text): a word with a context (pgettext)
    "$PYBABEL" extract -F babel.cfg -k Sentence -k counted:2,3 -k C_:1c,2 \
        --add-comments=TRANSLATORS: --strip-comment-tags --sort-by-file --width=100 \
        --add-location=file --project=wallboard --copyright-holder="wallboard" \
        --version="$(.venv/bin/python -c 'import wallboard; print(wallboard.__version__)')" \
        -o "$POT" wallboard
}

update() {
    "$PYBABEL" update -i "$POT" -d "$LOCALES" -D wallboard --width=100 --no-fuzzy-matching \
        --ignore-obsolete
}

compile() {
    "$PYBABEL" compile -d "$LOCALES" -D wallboard --statistics
}

case "${1:-all}" in
    extract) extract ;;
    update) update ;;
    compile) compile ;;
    init) "$PYBABEL" init -i "$POT" -d "$LOCALES" -D wallboard -l "$2" --width=100 ;;
    all) extract && update && compile ;;
    *) echo "usage: $0 [extract|update|compile|init LANG]" >&2; exit 2 ;;
esac
