declare -a dibtest_upstream_words=(sourced by bash)
export DIBTEST_UPSTREAM_WORDS="${dibtest_upstream_words[*]}"
export DIBTEST_UPSTREAM_UNITS=${DIBTEST_UPSTREAM_UNITS:-yes}
