#define BOOST_TEST_MODULE devices_scan
#include <boost/test/unit_test.hpp>
