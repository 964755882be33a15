/** Text formats the node writes by hand where a library would be heavier than the format: JSON string literals. */
package io.coffer.core.text;
