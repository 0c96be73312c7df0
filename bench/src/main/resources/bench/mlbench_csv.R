# Writes one of the UCI data sets that Debian's r-cran-mlbench ships (as R data) to a CSV for `alstream bench`:
# the numeric feature columns in their order, then the class as a number (the factor's level index from 0);
# no header. The level names go to standard error, one "index,name" a line.
# Usage: Rscript mlbench_csv.R DATASET CLASS_COLUMN OUT.csv
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(mlbench))
e <- new.env()
data(list = args[1], package = "mlbench", envir = e)
d <- get(args[1], envir = e)
y <- d[[args[2]]]
x <- d[, setdiff(names(d), args[2]), drop = FALSE]
x[] <- lapply(x, as.numeric)
out <- cbind(x, label = as.integer(y) - 1L)
write.table(out, args[3], sep = ",", row.names = FALSE, col.names = FALSE)
lv <- levels(y)
write(paste(seq_along(lv) - 1L, lv, sep = ","), stderr())
