/** fedmesh deploy. */
package org.fedmesh.deploy;
