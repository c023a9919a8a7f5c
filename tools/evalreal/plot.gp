# make eval-real's plot: slow-tier share of the metered traffic and the
# modelled slowdown, per workload (x) and policy (bars).
# Call with -e "dat='FILE'; out='PNG'; np=N".
set terminal pngcairo size 1200,500 noenhanced font ",10"
set output out
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key below
set multiplot layout 1,2
set title "slow-tier share of metered memory traffic (%)"
set yrange [0:100]
plot for [i=1:np] dat using (column(2*i)):xtic(1) title columnhead(2*i)
set title "modelled slowdown vs all-DRAM traffic (simulator latency model)"
set yrange [0:*]
plot for [i=1:np] dat using (column(2*i+1)):xtic(1) title columnhead(2*i)
unset multiplot
