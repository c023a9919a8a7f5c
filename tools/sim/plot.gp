# Plots for make eval; call with -e "out='DIR'".
set terminal pngcairo size 1200,600 noenhanced font ",10"
set datafile separator whitespace
# Ten policies: distinct colours, HMM-V reds (chunks, pages), the oracles greys.
set linetype 1 lc rgb '#984ea3'
set linetype 2 lc rgb '#4daf4a'
set linetype 3 lc rgb '#377eb8'
set linetype 4 lc rgb '#ff7f00'
set linetype 5 lc rgb '#ffd92f'
set linetype 6 lc rgb '#a65628'
set linetype 7 lc rgb '#bbbbbb'
set linetype 8 lc rgb '#555555'
set linetype 9 lc rgb '#f4a582'
set linetype 10 lc rgb '#e41a1c'

set output out.'/slowdown.png'
set title 'Slowdown against all-DRAM, geometric mean over DRAM sizes, slow tiers and seeds (lower is better)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel 'slowdown (x)'
set yrange [0:*]
set grid ytics
set key outside right top
set xtics rotate by 0
plot for [i=2:11] out.'/slowdown.dat' using i:xtic(1) title columnheader(i)

