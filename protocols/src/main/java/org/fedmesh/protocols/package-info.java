/** fedmesh protocols. */
package org.fedmesh.protocols;
