/*
 * hal_module.c - the sensor module's protocol over the board's bus
 * (sensor_hal.h). libc and fp.h only: this file joins the firmware build.
 * Nothing read from the module is trusted: sizes are range-checked before
 * use and every packet is checked before a pixel is believed.
 */
#include "fp/sensor.h"
#include "fp/sensor_hal.h"

static fp_status read16(const fp_sensor_hal *hal, uint8_t reg_lo, uint32_t *out)
{
    uint8_t lo, hi;
    if (hal->read_reg(hal->user, reg_lo, &lo) < 0 || hal->read_reg(hal->user, (uint8_t)(reg_lo + 1), &hi) < 0)
        return FP_SENSOR_ERR_DISCONNECTED;
    *out = (uint32_t)lo | ((uint32_t)hi << 8);
    return FP_OK;
}

fp_status fp_hal_probe(const fp_sensor_hal *hal, int reset, fp_hal_geometry *geo)
{
    if (!hal || !geo || !hal->read_reg || !hal->write_reg || !hal->read_frame)
        return FP_ERR_INVALID_ARGUMENT;
    if (reset && hal->write_reg(hal->user, FP_HAL_REG_CTRL, FP_HAL_CTRL_RESET) < 0)
        return FP_SENSOR_ERR_DISCONNECTED;
    uint8_t id;
    if (hal->read_reg(hal->user, FP_HAL_REG_CHIP_ID, &id) < 0)
        return FP_SENSOR_ERR_DISCONNECTED;
    if (id != FP_HAL_CHIP_ID)
        return FP_SENSOR_ERR_NO_DEVICE;
    fp_status rc = read16(hal, FP_HAL_REG_WIDTH_LO, &geo->width);
    if (rc == FP_OK)
        rc = read16(hal, FP_HAL_REG_HEIGHT_LO, &geo->height);
    if (rc == FP_OK)
        rc = read16(hal, FP_HAL_REG_DPI_LO, &geo->dpi);
    if (rc != FP_OK)
        return rc;
    if (geo->width < 32 || geo->width > 2048 || geo->height < 32 || geo->height > 2048 || geo->dpi < 250 ||
        geo->dpi > 1000)
        return FP_SENSOR_ERR_PROTOCOL;
    return FP_OK;
}

fp_status fp_hal_start_frame(const fp_sensor_hal *hal)
{
    if (!hal)
        return FP_ERR_INVALID_ARGUMENT;
    return hal->write_reg(hal->user, FP_HAL_REG_CTRL, FP_HAL_CTRL_START) < 0 ? FP_SENSOR_ERR_DISCONNECTED : FP_OK;
}

fp_status fp_hal_poll(const fp_sensor_hal *hal, int *ready)
{
    if (!hal || !ready)
        return FP_ERR_INVALID_ARGUMENT;
    uint8_t status;
    *ready = 0;
    if (hal->read_reg(hal->user, FP_HAL_REG_STATUS, &status) < 0)
        return FP_SENSOR_ERR_DISCONNECTED;
    if (status & FP_HAL_STATUS_FAULT)
        return FP_SENSOR_ERR_PROTOCOL;
    *ready = (status & FP_HAL_STATUS_READY) != 0;
    return FP_OK;
}

fp_status fp_hal_read_frame(const fp_sensor_hal *hal, const fp_hal_geometry *geo, uint8_t *packet, size_t cap)
{
    if (!hal || !geo || !packet)
        return FP_ERR_INVALID_ARGUMENT;
    const size_t n = (size_t)geo->width * geo->height;
    if (cap < n + FP_HAL_PACKET_OVERHEAD)
        return FP_ERR_BUFFER_TOO_SMALL;
    if (hal->read_frame(hal->user, packet, n + FP_HAL_PACKET_OVERHEAD) < 0)
        return FP_SENSOR_ERR_DISCONNECTED;
    uint32_t w = (uint32_t)packet[2] | ((uint32_t)packet[3] << 8);
    uint32_t h = (uint32_t)packet[4] | ((uint32_t)packet[5] << 8);
    if (packet[0] != 'F' || packet[1] != 'R' || w != geo->width || h != geo->height)
        return FP_SENSOR_ERR_PROTOCOL;
    uint16_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint16_t)(sum + packet[6 + i]);
    uint16_t want = (uint16_t)(packet[6 + n] | (packet[7 + n] << 8));
    return sum == want ? FP_OK : FP_SENSOR_ERR_PROTOCOL;
}
