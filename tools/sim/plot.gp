# Plots for make eval; call with -e "out='DIR'".
set terminal pngcairo size 1200,600 noenhanced font ",10"
set datafile separator whitespace
# Nine policies: distinct colours, HMM-V red, the oracles greys.
set linetype 1 lc rgb '#984ea3'
set linetype 2 lc rgb '#4daf4a'
set linetype 3 lc rgb '#377eb8'
set linetype 4 lc rgb '#ff7f00'
set linetype 5 lc rgb '#ffd92f'
set linetype 6 lc rgb '#a65628'
set linetype 7 lc rgb '#bbbbbb'
set linetype 8 lc rgb '#555555'
set linetype 9 lc rgb '#e41a1c'

set output out.'/slowdown.png'
set title 'Slowdown against all-DRAM (lower is better; DRAM = 25% of the footprint)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel 'slowdown (x)'
set yrange [0:*]
set grid ytics
set key outside right top
set xtics rotate by 0
plot for [i=2:10] out.'/slowdown.dat' using i:xtic(1) title columnheader(i)

set output out.'/dram-share.png'
set title 'DRAM per VM over time, four-VM mix (hot sets 16/32/64/128 MiB, 256 MiB DRAM)'
set style data lines
unset style
set xlabel 'simulated time (s, nominal)'
set ylabel 'DRAM (MiB)'
set yrange [0:*]
set multiplot layout 1,3
set title 'HMM-V (pool policy)'
plot for [i=2:5] out.'/share-hmm-v.dat' using 1:i with lines lw 2 title sprintf('vm%d', i-2)
set title 'NUMA balancing'
plot for [i=2:5] out.'/share-numa-balancing.dat' using 1:i with lines lw 2 title sprintf('vm%d', i-2)
set title 'MEMTIS'
plot for [i=2:5] out.'/share-memtis.dat' using 1:i with lines lw 2 title sprintf('vm%d', i-2)
unset multiplot
