/**
 * What the console's pages show, as the templates read it: plain values, already formatted, with every link built.
 * The templates escape each value as they write it.
 */
package dev.berth.ui.view;
