export DIB_TEST_VALUE=from-environment-d
