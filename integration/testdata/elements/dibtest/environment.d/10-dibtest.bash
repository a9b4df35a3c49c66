# bash, sourced as dib-run-parts does: set -eu, only exports reach hooks.
declare -a dibtest_words=(one two three)
export DIBTEST_ARRAY="${dibtest_words[*]}"
if [[ ${DISTRO_NAME} == debian ]]; then
    export DIBTEST_DISTRO_SEEN=yes
fi
export DIB_DIBTEST_FEATURE=${DIB_DIBTEST_FEATURE:-on}
DIBTEST_NOT_EXPORTED=1
dibtest_fn() { echo "function from environment.d"; }
export -f dibtest_fn
