# Reference figures for analysis/kaplan-meier-median.ts: the median touch-up-free time and its
# 95% log-log interval, as R's survival package computes them, and the participants at risk at it.
# Run from the repository root (after `npx tsx test/reference/touch-up-free-data.ts`):
#   Rscript test/reference/km-median.R
library(survival)
show <- function(name, months, event) {
  fit <- survfit(Surv(months, event) ~ 1, conf.type = "log-log")
  q <- quantile(fit, probs = 0.5)
  median <- unname(q$quantile)
  # At risk at the time the curve first falls to 50% (survival <= 0.5 within the tolerance).
  at_risk <- if (is.na(median)) NA else sum(months >= min(fit$time[fit$surv <= 0.5 + sqrt(.Machine$double.eps)]))
  cat(sprintf("%s: n=%d events=%d median=%.17g lower=%.17g upper=%.17g atRisk=%s\n", name, length(months),
              sum(event), median, unname(q$lower), unname(q$upper), at_risk))
  print(fit)
}
cat(R.version.string, "; survival", format(packageVersion("survival")), "\n")
demo <- read.csv("test/reference/touch-up-free-demo.csv")
show("demo", demo$months, demo$event)
generated <- read.csv("test/reference/touch-up-free-generated.csv")
show("generated", generated$months, generated$event)
# A curve that rests at 0.5 (to rounding) from 3 to 5 (the midpoint rule), then falls.
show("plateau", c(1, 2, 3, 4, 5, 6), c(1, 1, 1, 0, 1, 0))
# A curve that ends at exactly 0.5: quantile() takes the midpoint to the last time observed
# (print() shows the time it reached 0.5; kaplanMeierMedian follows quantile()).
show("ends at half", c(1, 2, 3, 4), c(1, 1, 0, 0))
# The curve stays above 0.5: not reached.
show("not reached", c(1, 2, 3, 4, 5), c(1, 0, 0, 0, 0))
# The documentation example of kaplanMeierMedian.
show("example", c(1, 2, 3, 4, 5, 6), c(1, 0, 1, 1, 0, 1))
# Thirty subjects, two in three with an event: every limit is reached.
show("thirty", 1:30, as.integer((1:30) %% 3 != 0))
# The hand-made cohort of test/unit/charts/touch-up-free-chart.test.ts: 2, 3*, 5, 5, 8*, 10, 12*.
show("hand-made chart", c(2, 3, 5, 5, 8, 10, 12), c(1, 0, 1, 1, 0, 1, 0))
