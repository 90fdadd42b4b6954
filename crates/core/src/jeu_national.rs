//! A generated national data set: 125 contracts × 60 fiches × 4 years, for benchmarks and
//! load tests.
